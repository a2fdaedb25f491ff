package identity

// KeyCacheOn tells tests whether the key cache is in use (a change
// listener is connected).
func (s *Service) KeyCacheOn() bool {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return s.keys.on
}
