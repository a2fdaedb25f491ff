package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/org"
)

// NewInvitationInput invites someone.
type NewInvitationInput struct {
	Body struct {
		Email      string     `json:"email" maxLength:"254"`
		RoleID     realty.ID  `json:"role_id"`
		PropertyID *realty.ID `json:"property_id,omitempty" doc:"limit the role to one property"`
	}
}

// InvitationOutput is an invitation, with its token when just created.
type InvitationOutput struct {
	Body struct {
		org.Invitation
		Token string `json:"token,omitempty" doc:"single-use; send it to the invitee (shown only now)"`
	}
}

// InvitationsOutput lists invitations.
type InvitationsOutput struct {
	Body struct {
		Items []org.Invitation `json:"items"`
	}
}

// AcceptInput accepts an invitation.
type AcceptInput struct {
	Body struct {
		Token     string `json:"token" maxLength:"200"`
		Password  string `json:"password,omitempty" maxLength:"1024" doc:"required when you have no account yet"`
		FirstName string `json:"first_name,omitempty" maxLength:"100"`
		LastName  string `json:"last_name,omitempty" maxLength:"100"`
	}
}

// AcceptOutput says what accepting made.
type AcceptOutput struct {
	Body struct {
		Organization org.Organization `json:"organization"`
		User         MeUser           `json:"user"`
	}
}

func routeInvitations(a huma.API, d Deps) {
	tags := []string{"Invitations"}
	Register(a, huma.Operation{OperationID: "list-invitations", Method: http.MethodGet, Path: Prefix + "/invitations", Tags: tags,
		Summary: "Invitations of the organization"}, Access{Permission: "member.read"}, func(ctx context.Context, _ *struct{}) (*InvitationsOutput, error) {
		list, err := d.Org.Invitations(ctx, actor(ctx))
		out := &InvitationsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-invitation", Method: http.MethodPost, Path: Prefix + "/invitations", Tags: tags,
		Summary: "Invite someone with a role", Description: "The invitee is e-mailed a link to accept.", DefaultStatus: http.StatusCreated}, Access{Permission: "member.invite"},
		func(ctx context.Context, in *NewInvitationInput) (*InvitationOutput, error) {
			inv, token, err := d.Messaging.Invite(ctx, actor(ctx), org.NewInvitation{Email: in.Body.Email, RoleID: in.Body.RoleID, PropertyID: in.Body.PropertyID})
			out := &InvitationOutput{}
			out.Body.Invitation, out.Body.Token = inv, token
			return out, err
		})
	Register(a, huma.Operation{OperationID: "revoke-invitation", Method: http.MethodDelete, Path: Prefix + "/invitations/{id}", Tags: tags,
		Summary: "Withdraw an open invitation", DefaultStatus: http.StatusNoContent}, Access{Permission: "member.invite"},
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Org.RevokeInvitation(ctx, actor(ctx), in.ID)
		})
	Register(a, huma.Operation{OperationID: "accept-invitation", Method: http.MethodPost, Path: Prefix + "/invitations/accept", Tags: tags,
		Summary: "Accept an invitation", Description: "Creates your account when you have none (password required), or joins your existing one."},
		Access{Public: true}, func(ctx context.Context, in *AcceptInput) (*AcceptOutput, error) {
			acc := org.Acceptance{Token: in.Body.Token, Password: in.Body.Password, FirstName: in.Body.FirstName, LastName: in.Body.LastName}
			if p := principal(ctx); p.User != nil {
				acc.SignedIn = &p.User.ID
			}
			o, u, err := d.Org.AcceptInvitation(ctx, acc)
			out := &AcceptOutput{}
			out.Body.Organization, out.Body.User = o, *meUser(u)
			return out, err
		})
}
