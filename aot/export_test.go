package aot

// WaitSpare waits for the spare memfd being prepared, if any: the
// benchmarks start each trusted load with a spare ready.
func (l *Loader) WaitSpare() { l.spare.wait() }
