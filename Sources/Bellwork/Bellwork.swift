// The analysis pipeline used by every command.
