package delivery

// SetPrebuild turns the writing of open windows' files on (the default) or off, so
// that tests can compare files built both ways.
func SetPrebuild(s *Scheduler, on bool) { s.noPrebuild.Store(!on) }
