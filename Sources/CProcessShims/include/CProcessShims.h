#ifndef BELLWORK_CPROCESSSHIMS_H
#define BELLWORK_CPROCESSSHIMS_H

/// Asks the kernel to send SIGKILL to this process when the thread that started it ends (Linux's
/// PR_SET_PDEATHSIG); 0 on success, -1 where it is not supported.
int bw_die_with_parent(void);

#endif
