package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Mail is one e-mail as a Sender takes it.
type Mail struct {
	From, To, Subject, Text, HTML string
	// MessageID is the Message-ID without angle brackets: the delivery's,
	// so a receiver can tell a repeat (there is none from realty).
	MessageID string
}

// Sender hands e-mail to a mail server. Send returns nil when the server
// accepted the message, an error wrapping ErrMaybeSent when it may have
// (the connection broke after the message was transmitted), and any other
// error when it certainly did not.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// ErrMaybeSent marks a send whose outcome is unknown: the message was
// transmitted but the server's answer never came.
var ErrMaybeSent = errors.New("the server may have accepted the message")

// TLS modes of an SMTP server.
const (
	TLSStartTLS = "starttls" // plain connection upgraded by STARTTLS, required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption (a local relay, tests)
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host               string
	Port               int
	TLS                string
	Username, Password string
	Timeout            time.Duration
	// HELO is the name realty greets the server with (go-mail's default,
	// localhost, when empty; many servers want a domain).
	HELO string
}

// SMTP sends through an SMTP server with go-mail, one connection a message.
type SMTP struct{ cfg SMTPConfig }

// NewSMTP returns a Sender for cfg; an error names a bad TLS mode.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("smtp: tls mode %q: want starttls, tls or none", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}, nil
}

func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	c, err := s.client()
	if err != nil {
		return err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	switch {
	case msg.IsDelivered():
		return nil // accepted; an error after that (RSET, QUIT) does not matter
	case err == nil:
		return errors.New("smtp: message not delivered")
	case maybeSent(err):
		return fmt.Errorf("%w: %w", ErrMaybeSent, err)
	}
	return err
}

// maybeSent reports whether err broke the send after the message was
// transmitted without a reply from the server saying it refused it.
func maybeSent(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	return (se.Reason == gomail.ErrSMTPDataClose || se.Reason == gomail.ErrWriteContent) && se.ErrorCode() == 0
}
