// The contract's result model, metrics and accuracy measures.
