package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// PasswordResetRequestInput asks for a reset link.
type PasswordResetRequestInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254"`
	}
}

// AcceptedOutput says a request was taken, and nothing more.
type AcceptedOutput struct {
	Body struct {
		Message string `json:"message"`
	}
}

// PasswordResetInput sets a new password with a reset link's token.
type PasswordResetInput struct {
	Body struct {
		Token    string `json:"token" maxLength:"200" doc:"the token of the e-mailed link"`
		Password string `json:"password" maxLength:"1024"`
	}
}

// VerifyEmailInput confirms an address with the e-mailed link's token.
type VerifyEmailInput struct {
	Body struct {
		Token string `json:"token" maxLength:"200" doc:"the token of the e-mailed link"`
	}
}

// resetAnswer is the one answer to a reset request, whether or not the
// address has an account.
const resetAnswer = "if an account has this address, a link to choose a new password is on its way; it works once, within an hour"

func routeAccountMail(a huma.API, d Deps) {
	tags := []string{"Auth"}
	Register(a, huma.Operation{OperationID: "request-password-reset", Method: http.MethodPost, Path: Prefix + "/auth/password-reset",
		Tags: tags, Summary: "E-mail a link to choose a new password", DefaultStatus: http.StatusAccepted,
		Description: "Answers the same, in the same time, whether or not the address has an account: the account is looked up by a background job."},
		Access{Public: true}, func(ctx context.Context, in *PasswordResetRequestInput) (*AcceptedOutput, error) {
			if err := d.Messaging.RequestPasswordReset(ctx, in.Body.Email, client(ctx).IP); err != nil {
				return nil, err
			}
			out := &AcceptedOutput{}
			out.Body.Message = resetAnswer
			return out, nil
		})
	Register(a, huma.Operation{OperationID: "reset-password", Method: http.MethodPost, Path: Prefix + "/auth/password-reset/confirm",
		Tags: tags, Summary: "Choose a new password with an e-mailed link", DefaultStatus: http.StatusNoContent,
		Description: "The link works once and for an hour; every session of the account is signed out."},
		Access{Public: true}, func(ctx context.Context, in *PasswordResetInput) (*struct{}, error) {
			return nil, d.Identity.ResetPasswordWithToken(ctx, in.Body.Token, in.Body.Password, client(ctx))
		})
	Register(a, huma.Operation{OperationID: "verify-email", Method: http.MethodPost, Path: Prefix + "/auth/verify-email",
		Tags: tags, Summary: "Confirm your e-mail address with an e-mailed link", DefaultStatus: http.StatusNoContent},
		Access{Public: true}, func(ctx context.Context, in *VerifyEmailInput) (*struct{}, error) {
			return nil, d.Identity.VerifyEmail(ctx, in.Body.Token)
		})
	Register(a, huma.Operation{OperationID: "request-email-verification", Method: http.MethodPost, Path: Prefix + "/account/email-verification",
		Tags: []string{"Account"}, Summary: "E-mail yourself a link confirming your address", DefaultStatus: http.StatusAccepted},
		Access{User: true}, func(ctx context.Context, _ *struct{}) (*AcceptedOutput, error) {
			if err := d.Messaging.RequestEmailVerification(ctx, actor(ctx), client(ctx).IP); err != nil {
				return nil, err
			}
			out := &AcceptedOutput{}
			out.Body.Message = "a link confirming your address is on its way"
			return out, nil
		})
}
