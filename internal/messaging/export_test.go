package messaging

import (
	"context"
	"time"
)

// SetAfterSend makes s run f between a successful send and recording it.
func SetAfterSend(s *Service, f func(context.Context) error) { s.afterSend = f }

// SetNow sets s's clock.
func SetNow(s *Service, now func() time.Time) { s.now = now }
