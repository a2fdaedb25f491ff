package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"identity.users_email_key":   {Kind: realty.Conflict, Field: "email", Message: "is already registered"},
		"identity.users_email_check": {Kind: realty.Invalid, Field: "email", Message: "is not a valid email address"},
	})
}

// User is a person who can sign in.
type User struct {
	ID          realty.ID  `db:"id" json:"id"`
	Email       string     `db:"email" json:"email"`
	FirstName   string     `db:"first_name" json:"first_name"`
	LastName    string     `db:"last_name" json:"last_name"`
	Phone       *string    `db:"phone" json:"phone,omitempty"`
	Status      string     `db:"status" json:"status" enum:"active,suspended,disabled"`
	MFAEnabled  bool       `db:"mfa_enabled" json:"mfa_enabled"`
	LastLoginAt *time.Time `db:"last_login_at" json:"last_login_at,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
}

// Name returns the user's full name, or the email when there is none.
func (u User) Name() string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return u.Email
}

const userColumns = `id, email::text AS email, first_name, last_name, phone, status,
	mfa_enabled_at IS NOT NULL AS mfa_enabled, last_login_at, created_at`

// NewUser is what creating a user takes. An empty Password makes a user who
// cannot sign in until one is set (an invited person).
type NewUser struct {
	Email     string
	Password  string
	FirstName string
	LastName  string
	Phone     *string
}

// NormalizeEmail trims an address and returns an Invalid error naming field
// when it is not a plain address.
func NormalizeEmail(field, email string) (string, error) {
	email = strings.TrimSpace(email)
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") || len(email) > 254 {
		return "", realty.FieldError(field, "is not a valid email address")
	}
	return email, nil
}

func (u NewUser) validate() (NewUser, error) {
	var err error
	if u.Email, err = NormalizeEmail("email", u.Email); err != nil {
		return u, err
	}
	if u.Password != "" {
		if err := CheckPassword("password", u.Password); err != nil {
			return u, err
		}
	}
	u.FirstName, u.LastName = strings.TrimSpace(u.FirstName), strings.TrimSpace(u.LastName)
	if len(u.FirstName) > 100 || len(u.LastName) > 100 {
		return u, realty.FieldError("first_name", "names must be at most 100 characters")
	}
	return u, nil
}

// CreateUserTx creates a user within tx, on behalf of actor (the invitation's
// organization when a person accepts one; users themselves belong to no
// organization). It returns Invalid for a bad email or password and Conflict
// when the email is registered.
func (s *Service) CreateUserTx(ctx context.Context, tx pgx.Tx, _ realty.Actor, u NewUser) (User, error) {
	u, err := u.validate()
	if err != nil {
		return User{}, err
	}
	var hash *string
	if u.Password != "" {
		h := hashPassword(u.Password, s.cfg.Argon2)
		hash = &h
	}
	rows, err := tx.Query(ctx, `INSERT INTO identity.users (email, password_hash, first_name, last_name, phone)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+userColumns, u.Email, hash, u.FirstName, u.LastName, u.Phone)
	if err != nil {
		return User{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
}

// CreateUser creates a user outside any organization (the CLI's user
// create). Errors as CreateUserTx.
func (s *Service) CreateUser(ctx context.Context, u NewUser) (User, error) {
	var out User
	err := postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		var err error
		out, err = s.CreateUserTx(ctx, tx, global, u)
		return err
	})
	return out, err
}

// UserByEmail returns the user with that email (any case), or NotFound.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	return userByEmail(ctx, s.pool, email)
}

// UserByEmailTx is UserByEmail within tx, for another domain's use case
// (accepting an invitation). Users are global: actor scopes nothing here.
func (s *Service) UserByEmailTx(ctx context.Context, tx pgx.Tx, _ realty.Actor, email string) (User, error) {
	return userByEmail(ctx, tx, email)
}

func userByEmail(ctx context.Context, db postgres.DB, email string) (User, error) {
	rows, err := db.Query(ctx, `SELECT `+userColumns+` FROM identity.users WHERE email = $1`, strings.TrimSpace(email))
	if err != nil {
		return User{}, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	return u, postgres.MapError(err)
}

// GetUser returns the user, or NotFound.
func (s *Service) GetUser(ctx context.Context, id realty.ID) (User, error) {
	rows, err := postgres.ReadAll[User](ctx, s.pool, global, `SELECT `+userColumns+` FROM identity.users WHERE id = $1`, id)
	if err != nil {
		return User{}, err
	}
	if len(rows) == 0 {
		return User{}, &realty.Error{Kind: realty.NotFound, Message: "user not found"}
	}
	return rows[0], nil
}

// UpdateProfile changes the acting user's own names and phone.
func (s *Service) UpdateProfile(ctx context.Context, actor realty.Actor, first, last string, phone *string) (User, error) {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if len(first) > 100 || len(last) > 100 {
		return User{}, realty.FieldError("first_name", "names must be at most 100 characters")
	}
	var out User
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE identity.users SET first_name = $2, last_name = $3, phone = $4, updated_at = now()
			WHERE id = $1 RETURNING `+userColumns, actor.UserID, first, last, phone)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
		return err
	})
	return out, err
}

// ChangePassword sets the acting user's password after checking the current
// one, and revokes every other session of theirs. It returns Invalid naming
// current_password when that is wrong, or new_password when the new one is
// refused.
func (s *Service) ChangePassword(ctx context.Context, actor realty.Actor, keepSession realty.ID, current, next string, c Client) error {
	if err := CheckPassword("new_password", next); err != nil {
		return err
	}
	if err := s.checkOwnPassword(ctx, actor.UserID, current); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := s.setPasswordTx(ctx, tx, actor.UserID, next); err != nil {
			return err
		}
		if err := revokeUserSessions(ctx, tx, actor.UserID, &keepSession, "password_changed"); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventPasswordChanged, idPtr(actor.OrgID), &actor.UserID, c, nil)
	})
}

// checkOwnPassword re-authenticates a signed-in user; a wrong password is an
// Invalid error naming current_password.
func (s *Service) checkOwnPassword(ctx context.Context, userID realty.ID, password string) error {
	var hash *string
	if err := s.pool.QueryRow(ctx, `SELECT password_hash FROM identity.users WHERE id = $1`, userID).Scan(&hash); err != nil {
		return postgres.MapError(err)
	}
	if hash == nil || !verifyPassword(password, *hash) {
		return realty.FieldError("current_password", "is not your current password")
	}
	return nil
}

func (s *Service) setPasswordTx(ctx context.Context, tx pgx.Tx, userID realty.ID, password string) error {
	_, err := tx.Exec(ctx, `UPDATE identity.users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, hashPassword(password, s.cfg.Argon2))
	return err
}

// ResetPassword sets a new password for the user with that email — the one
// given, or a generated one — revokes all their sessions, and returns it.
// For operators (the CLI); NotFound when no user has the email.
func (s *Service) ResetPassword(ctx context.Context, email, password string) (string, error) {
	if password == "" {
		password = GeneratePassword()
	}
	if err := CheckPassword("password", password); err != nil {
		return "", err
	}
	err := postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		u, err := userByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		if err := s.setPasswordTx(ctx, tx, u.ID, password); err != nil {
			return err
		}
		if err := revokeUserSessions(ctx, tx, u.ID, nil, "password_reset"); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM identity.login_throttle WHERE key = $1`, accountKey(u.Email))
		if err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventPasswordReset, nil, &u.ID, Client{}, nil)
	})
	if err != nil {
		return "", fmt.Errorf("reset password: %w", err)
	}
	return password, nil
}

// GeneratePassword returns a random 20-character password.
func GeneratePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DisableUser marks a user disabled and revokes every session at once; the
// API keys they created stop working with them (key resolution checks the
// creator). NotFound when no such user.
func (s *Service) DisableUser(ctx context.Context, userID realty.ID) error {
	return postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE identity.users SET status = 'disabled', updated_at = now() WHERE id = $1`, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &realty.Error{Kind: realty.NotFound, Message: "user not found"}
		}
		if err := AnnounceAuthChange(ctx, tx, ChangedUsers); err != nil {
			return err
		}
		if err := revokeUserSessions(ctx, tx, userID, nil, "user_disabled"); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventUserDisabled, nil, &userID, Client{}, nil)
	})
}

// AnyUsers reports whether any user exists: an empty database is one a
// first-run setup (the demo data) may fill.
func (s *Service) AnyUsers(ctx context.Context) (bool, error) {
	var exists bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM identity.users)`).Scan(&exists)
	return exists, err
}
