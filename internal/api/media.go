package api

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/property"
)

// UploadInput is a multipart upload of one file.
type UploadInput struct {
	ID      realty.ID `path:"id"`
	RawBody huma.MultipartFormFiles[struct {
		File    huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"the file; its type is sniffed from its contents"`
		Kind    string        `form:"kind" required:"false" enum:"photo,floor_plan,document" doc:"default photo"`
		Caption string        `form:"caption" required:"false" maxLength:"500"`
	}]
}

// MediaOutput is one medium.
type MediaOutput struct{ Body property.Media }

// MediaListOutput lists media.
type MediaListOutput struct {
	Body struct {
		Items []property.Media `json:"items"`
	}
}

// LinkInput adds a video or tour by URL.
type LinkInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Kind    string `json:"kind" enum:"video,virtual_tour"`
		URL     string `json:"url" format:"uri" maxLength:"2000"`
		Caption string `json:"caption,omitempty" maxLength:"500"`
	}
}

// MediaPatchInput changes a medium's caption and position.
type MediaPatchInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Caption  string `json:"caption" maxLength:"500"`
		Position int    `json:"position" minimum:"0" maximum:"10000"`
	}
}

// ContentOutput streams a file.
type ContentOutput struct {
	ContentType   string `header:"Content-Type"`
	ContentLength string `header:"Content-Length"`
	CacheControl  string `header:"Cache-Control"`
	Body          []byte
}

func routeMedia(a huma.API, d Deps, tags []string) {
	read, write := Access{Permission: "property.read"}, Access{Permission: "property.write"}
	Register(a, huma.Operation{OperationID: "list-media", Method: http.MethodGet, Path: Prefix + "/properties/{id}/media", Tags: tags,
		Summary: "A property's photos, floor plans, videos, tours and documents, in order"}, read,
		func(ctx context.Context, in *IDPath) (*MediaListOutput, error) {
			list, err := d.Property.MediaOf(ctx, actor(ctx), in.ID)
			out := &MediaListOutput{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "upload-media", Method: http.MethodPost, Path: Prefix + "/properties/{id}/media", Tags: tags,
		Summary: "Upload a photo, floor plan or document", DefaultStatus: http.StatusCreated,
		Description: "multipart/form-data with file, kind and caption. Photos: JPEG, PNG, WebP, GIF; floor plans: those or PDF; documents: PDF or text."},
		write, func(ctx context.Context, in *UploadInput) (*MediaOutput, error) {
			f := in.RawBody.Data()
			kind := formValue(in.RawBody.Form.Value, "kind", f.Kind)
			if kind == "" {
				kind = "photo"
			}
			m, err := d.Property.Upload(ctx, actor(ctx), in.ID, kind, formValue(in.RawBody.Form.Value, "caption", f.Caption), f.File)
			return &MediaOutput{Body: m}, err
		})
	Register(a, huma.Operation{OperationID: "add-media-link", Method: http.MethodPost, Path: Prefix + "/properties/{id}/media/links", Tags: tags,
		Summary: "Add a video or virtual tour link", DefaultStatus: http.StatusCreated}, write,
		func(ctx context.Context, in *LinkInput) (*MediaOutput, error) {
			m, err := d.Property.AddLink(ctx, actor(ctx), in.ID, in.Body.Kind, in.Body.Caption, in.Body.URL)
			return &MediaOutput{Body: m}, err
		})
	Register(a, huma.Operation{OperationID: "update-media", Method: http.MethodPatch, Path: Prefix + "/media/{id}", Tags: tags,
		Summary: "Change a medium's caption and position"}, write, func(ctx context.Context, in *MediaPatchInput) (*MediaOutput, error) {
		m, err := d.Property.UpdateMedia(ctx, actor(ctx), in.ID, in.Body.Caption, in.Body.Position)
		return &MediaOutput{Body: m}, err
	})
	Register(a, huma.Operation{OperationID: "delete-media", Method: http.MethodDelete, Path: Prefix + "/media/{id}", Tags: tags,
		Summary: "Remove a medium", DefaultStatus: http.StatusNoContent}, write, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, d.Property.DeleteMedia(ctx, actor(ctx), in.ID)
	})
	Register(a, huma.Operation{OperationID: "get-media-content", Method: http.MethodGet, Path: Prefix + "/media/{id}/content", Tags: tags,
		Summary: "The uploaded file itself"}, read, func(ctx context.Context, in *IDPath) (*ContentOutput, error) {
		r, m, err := d.Property.Content(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		return &ContentOutput{ContentType: *m.ContentType, ContentLength: strconv.Itoa(len(b)), CacheControl: "private, max-age=3600", Body: b}, nil
	})
}

// formValue returns a multipart form's text field, or the decoded one.
func formValue(values map[string][]string, key, decoded string) string {
	if decoded != "" {
		return decoded
	}
	if v := values[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
