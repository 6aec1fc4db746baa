import Foundation

// Set from the signal handler; read by the batch's and the worker's loops.
nonisolated(unsafe) var stopSignal: Int32 = 0

/// Ctrl-C and SIGTERM caught into `stopSignal`, for a loop that stops its children and ends cleanly.
enum StopSignals {
    /// Clears `stopSignal`, installs the handlers and unblocks both signals (a parent may have started this
    /// process with them blocked: the mask is inherited across exec); returns what puts the previous handlers back.
    static func catchStop() -> () -> Void {
        stopSignal = 0
        let previousINT = signal(SIGINT) { stopSignal = $0 }
        let previousTERM = signal(SIGTERM) { stopSignal = $0 }
        var both = sigset_t()
        sigemptyset(&both)
        sigaddset(&both, SIGINT)
        sigaddset(&both, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &both, nil)
        return {
            signal(SIGINT, previousINT)
            signal(SIGTERM, previousTERM)
        }
    }
}
