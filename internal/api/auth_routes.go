package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
)

// LoginInput is a sign-in.
type LoginInput struct {
	Body struct {
		Email        string `json:"email" format:"email" maxLength:"254"`
		Password     string `json:"password" maxLength:"1024"`
		Organization string `json:"organization,omitempty" doc:"slug of the organization to act in; default: your first" maxLength:"63"`
	}
}

// SessionBody is a signed-in session: the token (send as Authorization:
// Bearer), the refresh token, and who it is.
type SessionBody struct {
	Token        string     `json:"token,omitempty"`
	RefreshToken string     `json:"refresh_token,omitempty" doc:"spend at /auth/refresh for a new pair; single use"`
	ExpiresAt    string     `json:"expires_at,omitempty"`
	MFARequired  bool       `json:"mfa_required" doc:"when true, send mfa_token and a code to /auth/mfa"`
	MFAToken     string     `json:"mfa_token,omitempty"`
	User         *MeUser    `json:"user,omitempty"`
	Organization *realty.ID `json:"organization_id,omitempty"`
}

// SessionOutput wraps SessionBody.
type SessionOutput struct{ Body SessionBody }

func sessionOut(t identity.Tokens, u identity.User) *SessionOutput {
	out := &SessionOutput{Body: SessionBody{Token: t.Token, RefreshToken: t.RefreshToken,
		ExpiresAt: t.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z"), User: meUser(u), Organization: t.Session.ActiveOrgID}}
	return out
}

// MFAInput completes a sign-in with a second factor.
type MFAInput struct {
	Body struct {
		MFAToken     string `json:"mfa_token" maxLength:"200"`
		Code         string `json:"code,omitempty" doc:"6-digit code from the authenticator" maxLength:"10"`
		RecoveryCode string `json:"recovery_code,omitempty" doc:"one of the recovery codes, instead of code" maxLength:"64"`
	}
}

// RefreshInput spends a refresh token.
type RefreshInput struct {
	Body struct {
		RefreshToken string `json:"refresh_token" maxLength:"200"`
	}
}

// MeUser is the signed-in user as the API shows them.
type MeUser struct {
	ID         realty.ID `json:"id"`
	Email      string    `json:"email"`
	FirstName  string    `json:"first_name"`
	LastName   string    `json:"last_name"`
	MFAEnabled bool      `json:"mfa_enabled"`
}

func meUser(u identity.User) *MeUser {
	return &MeUser{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, MFAEnabled: u.MFAEnabled}
}

// MeOutput says who is calling and what they may do.
type MeOutput struct {
	Body struct {
		User             *MeUser          `json:"user,omitempty" doc:"absent for an API key"`
		OrganizationID   *realty.ID       `json:"organization_id,omitempty"`
		MemberID         *realty.ID       `json:"member_id,omitempty"`
		Permissions      []string         `json:"permissions"`
		PropertyScope    []realty.ID      `json:"property_scope,omitempty" doc:"the properties the roles are limited to; absent: all"`
		MFASetupRequired bool             `json:"mfa_setup_required"`
		Organizations    []org.Membership `json:"organizations,omitempty" doc:"every organization the user belongs to"`
	}
}

// SwitchInput names the organization to act in.
type SwitchInput struct {
	Body struct {
		Organization string `json:"organization" doc:"slug" maxLength:"63"`
	}
}

func routeAuth(a huma.API, d Deps) {
	tags := []string{"Auth"}
	Register(a, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: Prefix + "/auth/login", Tags: tags,
		Summary: "Sign in", Description: "Wrong credentials and unknown emails get the same 401; repeated failures are throttled (429)."},
		Access{Public: true}, func(ctx context.Context, in *LoginInput) (*SessionOutput, error) {
			res, err := d.Org.Login(ctx, org.LoginInput{Email: in.Body.Email, Password: in.Body.Password,
				Organization: in.Body.Organization, Kind: identity.KindAPI, Client: client(ctx)})
			if err != nil {
				return nil, err
			}
			if res.MFAToken != "" {
				return &SessionOutput{Body: SessionBody{MFARequired: true, MFAToken: res.MFAToken}}, nil
			}
			return sessionOut(res.Tokens, res.User), nil
		})
	Register(a, huma.Operation{OperationID: "login-mfa", Method: http.MethodPost, Path: Prefix + "/auth/mfa", Tags: tags,
		Summary: "Complete a sign-in with a second factor"},
		Access{Public: true}, func(ctx context.Context, in *MFAInput) (*SessionOutput, error) {
			t, err := d.Identity.VerifyMFA(ctx, in.Body.MFAToken, in.Body.Code, in.Body.RecoveryCode, client(ctx))
			if err != nil {
				return nil, err
			}
			u, err := d.Identity.GetUser(ctx, t.Session.UserID)
			if err != nil {
				return nil, err
			}
			return sessionOut(t, u), nil
		})
	Register(a, huma.Operation{OperationID: "refresh", Method: http.MethodPost, Path: Prefix + "/auth/refresh", Tags: tags,
		Summary: "Trade a refresh token for a new token pair", Description: "Reusing a spent refresh token revokes every session of that sign-in."},
		Access{Public: true}, func(ctx context.Context, in *RefreshInput) (*SessionOutput, error) {
			t, err := d.Identity.Refresh(ctx, in.Body.RefreshToken, client(ctx))
			if err != nil {
				return nil, err
			}
			u, err := d.Identity.GetUser(ctx, t.Session.UserID)
			if err != nil {
				return nil, err
			}
			return sessionOut(t, u), nil
		})
	Register(a, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: Prefix + "/auth/logout", Tags: tags,
		Summary: "Sign out (revoke this session)", DefaultStatus: http.StatusNoContent},
		Access{User: true}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
			return nil, d.Identity.Logout(ctx, *principal(ctx).Session, client(ctx))
		})
	Register(a, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: Prefix + "/auth/me", Tags: tags,
		Summary: "Who am I, and what may I do"},
		Access{Authenticated: true}, func(ctx context.Context, _ *struct{}) (*MeOutput, error) {
			return me(ctx, d, principal(ctx))
		})
	Register(a, huma.Operation{OperationID: "switch-organization", Method: http.MethodPost, Path: Prefix + "/auth/switch", Tags: tags,
		Summary: "Act in another of your organizations"},
		Access{User: true}, func(ctx context.Context, in *SwitchInput) (*MeOutput, error) {
			p, err := d.Org.SwitchOrganization(ctx, principal(ctx), in.Body.Organization)
			if err != nil {
				return nil, err
			}
			return me(ctx, d, p)
		})
}

func me(ctx context.Context, d Deps, p org.Principal) (*MeOutput, error) {
	out := &MeOutput{}
	b := &out.Body
	b.Permissions, b.PropertyScope, b.MFASetupRequired = p.Actor.Permissions, p.Actor.PropertyScope, p.MFASetupRequired
	if b.Permissions == nil {
		b.Permissions = []string{}
	}
	if !p.Actor.OrgID.IsZero() {
		b.OrganizationID = &p.Actor.OrgID
	}
	if !p.Actor.MemberID.IsZero() {
		b.MemberID = &p.Actor.MemberID
	}
	if p.User != nil {
		b.User = meUser(*p.User)
		ms, err := d.Org.Memberships(ctx, p.User.ID)
		if err != nil {
			return nil, err
		}
		b.Organizations = ms
	}
	return out, nil
}
