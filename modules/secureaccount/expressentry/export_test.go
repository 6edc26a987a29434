package expressentry

// SetProfileDigits replaces how the digits of profile numbers are drawn,
// until the returned function puts the real draw back.
func SetProfileDigits(draw func() (int64, error)) (restore func()) {
	old := profileDigits
	profileDigits = draw
	return func() { profileDigits = old }
}
