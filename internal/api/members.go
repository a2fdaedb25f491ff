package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/org"
)

// MemberOutput is a member.
type MemberOutput struct{ Body org.Member }

// MembersOutput lists members.
type MembersOutput struct {
	Body struct {
		Items []org.Member `json:"items"`
	}
}

// MemberPatchInput changes a member.
type MemberPatchInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Title string `json:"title" maxLength:"100"`
	}
}

func routeMembers(a huma.API, d Deps) {
	tags := []string{"Members"}
	Register(a, huma.Operation{OperationID: "list-members", Method: http.MethodGet, Path: Prefix + "/members", Tags: tags,
		Summary: "Members of the organization"}, Access{Permission: "member.read"}, func(ctx context.Context, _ *struct{}) (*MembersOutput, error) {
		list, err := d.Org.Members(ctx, actor(ctx))
		out := &MembersOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "get-member", Method: http.MethodGet, Path: Prefix + "/members/{id}", Tags: tags,
		Summary: "One member"}, Access{Permission: "member.read"}, func(ctx context.Context, in *IDPath) (*MemberOutput, error) {
		m, err := d.Org.Member(ctx, actor(ctx), in.ID)
		return &MemberOutput{Body: m}, err
	})
	Register(a, huma.Operation{OperationID: "update-member", Method: http.MethodPatch, Path: Prefix + "/members/{id}", Tags: tags,
		Summary: "Change a member's title"}, Access{Permission: "member.write"}, func(ctx context.Context, in *MemberPatchInput) (*MemberOutput, error) {
		m, err := d.Org.UpdateMember(ctx, actor(ctx), in.ID, in.Body.Title)
		return &MemberOutput{Body: m}, err
	})
	Register(a, huma.Operation{OperationID: "remove-member", Method: http.MethodDelete, Path: Prefix + "/members/{id}", Tags: tags,
		Summary: "Remove a member", Description: "Revokes their sessions in this organization and the API keys they made, at once.",
		DefaultStatus: http.StatusNoContent}, Access{Permission: "member.write"}, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, d.Org.RemoveMember(ctx, actor(ctx), in.ID)
	})
}
