package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/identity"
)

// ProfileInput changes the signed-in user's profile.
type ProfileInput struct {
	Body struct {
		FirstName string  `json:"first_name" maxLength:"100"`
		LastName  string  `json:"last_name" maxLength:"100"`
		Phone     *string `json:"phone,omitempty" maxLength:"40"`
	}
}

// UserOutput is a user.
type UserOutput struct{ Body identity.User }

// PasswordInput changes the signed-in user's password.
type PasswordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"1024"`
		NewPassword     string `json:"new_password" maxLength:"1024" doc:"at least 12 characters, not a common password"`
	}
}

// SessionsOutput lists sessions.
type SessionsOutput struct {
	Body struct {
		Items []identity.Session `json:"items"`
	}
}

// IDPath names a resource by id.
type IDPath struct {
	ID realty.ID `path:"id" doc:"the resource's id (UUID)"`
}

// EnrolmentOutput carries a new TOTP secret.
type EnrolmentOutput struct{ Body identity.Enrolment }

// CodeInput carries a TOTP code.
type CodeInput struct {
	Body struct {
		Code string `json:"code" doc:"6-digit code from the authenticator" maxLength:"10"`
	}
}

// RecoveryCodesOutput carries recovery codes, shown once.
type RecoveryCodesOutput struct {
	Body struct {
		RecoveryCodes []string `json:"recovery_codes" doc:"single-use codes for when the authenticator is lost; shown only now"`
	}
}

// DisableMFAInput re-authenticates to turn MFA off.
type DisableMFAInput struct {
	Body struct {
		Password     string `json:"password" maxLength:"1024"`
		Code         string `json:"code,omitempty" maxLength:"10"`
		RecoveryCode string `json:"recovery_code,omitempty" maxLength:"64"`
	}
}

// PasswordOnlyInput re-authenticates with the password.
type PasswordOnlyInput struct {
	Body struct {
		Password string `json:"password" maxLength:"1024"`
	}
}

func routeAccount(a huma.API, d Deps) {
	tags := []string{"Account"}
	user := Access{User: true}
	Register(a, huma.Operation{OperationID: "update-profile", Method: http.MethodPatch, Path: Prefix + "/account", Tags: tags,
		Summary: "Change your name and phone"}, user, func(ctx context.Context, in *ProfileInput) (*UserOutput, error) {
		u, err := d.Identity.UpdateProfile(ctx, actor(ctx), in.Body.FirstName, in.Body.LastName, in.Body.Phone)
		return &UserOutput{Body: u}, err
	})
	Register(a, huma.Operation{OperationID: "change-password", Method: http.MethodPost, Path: Prefix + "/account/password", Tags: tags,
		Summary: "Change your password", Description: "Signs out every other session.", DefaultStatus: http.StatusNoContent},
		user, func(ctx context.Context, in *PasswordInput) (*struct{}, error) {
			p := principal(ctx)
			return nil, d.Identity.ChangePassword(ctx, p.Actor, p.Session.ID, in.Body.CurrentPassword, in.Body.NewPassword, client(ctx))
		})
	Register(a, huma.Operation{OperationID: "list-sessions", Method: http.MethodGet, Path: Prefix + "/account/sessions", Tags: tags,
		Summary: "Your signed-in sessions"}, user, func(ctx context.Context, _ *struct{}) (*SessionsOutput, error) {
		list, err := d.Identity.Sessions(ctx, actor(ctx).UserID)
		out := &SessionsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "revoke-session", Method: http.MethodDelete, Path: Prefix + "/account/sessions/{id}", Tags: tags,
		Summary: "Sign out one of your sessions", DefaultStatus: http.StatusNoContent},
		user, func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Identity.RevokeSession(ctx, actor(ctx).UserID, in.ID, client(ctx))
		})
	routeMFA(a, d, tags)
}

func routeMFA(a huma.API, d Deps, tags []string) {
	user := Access{User: true}
	Register(a, huma.Operation{OperationID: "begin-mfa", Method: http.MethodPost, Path: Prefix + "/account/mfa", Tags: tags,
		Summary: "Start two-factor enrolment", Description: "Returns a TOTP secret; confirm it with a code to turn MFA on."},
		user, func(ctx context.Context, _ *struct{}) (*EnrolmentOutput, error) {
			e, err := d.Identity.BeginMFA(ctx, actor(ctx))
			return &EnrolmentOutput{Body: e}, err
		})
	Register(a, huma.Operation{OperationID: "confirm-mfa", Method: http.MethodPost, Path: Prefix + "/account/mfa/confirm", Tags: tags,
		Summary: "Turn two-factor authentication on"}, user, func(ctx context.Context, in *CodeInput) (*RecoveryCodesOutput, error) {
		codes, err := d.Identity.ConfirmMFA(ctx, actor(ctx), in.Body.Code, client(ctx))
		out := &RecoveryCodesOutput{}
		out.Body.RecoveryCodes = codes
		return out, err
	})
	Register(a, huma.Operation{OperationID: "disable-mfa", Method: http.MethodPost, Path: Prefix + "/account/mfa/disable", Tags: tags,
		Summary: "Turn two-factor authentication off", DefaultStatus: http.StatusNoContent},
		user, func(ctx context.Context, in *DisableMFAInput) (*struct{}, error) {
			return nil, d.Identity.DisableMFA(ctx, actor(ctx), in.Body.Password, in.Body.Code, in.Body.RecoveryCode, client(ctx))
		})
	Register(a, huma.Operation{OperationID: "regenerate-recovery-codes", Method: http.MethodPost, Path: Prefix + "/account/mfa/recovery-codes", Tags: tags,
		Summary: "Replace your recovery codes"}, user, func(ctx context.Context, in *PasswordOnlyInput) (*RecoveryCodesOutput, error) {
		codes, err := d.Identity.RegenerateRecoveryCodes(ctx, actor(ctx), in.Body.Password, client(ctx))
		out := &RecoveryCodesOutput{}
		out.Body.RecoveryCodes = codes
		return out, err
	})
}
