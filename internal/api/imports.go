package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/listing"
)

// ImportUploadInput is a multipart upload of one RESO file to import.
type ImportUploadInput struct {
	RawBody huma.MultipartFormFiles[struct {
		File   huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"RESO JSON ({\"value\": [...]}), JSON lines, or CSV with RESO field names in the header"`
		Format string        `form:"format" required:"false" enum:"json,jsonl,csv" doc:"default: from the file name and contents"`
		Source string        `form:"source" required:"false" maxLength:"255" doc:"OriginatingSystemName of rows without one"`
	}]
}

// ImportOutput is an import's record.
type ImportOutput struct {
	Location string `header:"Location"`
	Body     listing.Import
}

// ImportsInput pages through imports.
type ImportsInput struct {
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"page size, at most MaxPageSize (100)"`
}

var errImportsOff = &realty.Error{Kind: realty.Internal, Message: "imports are not set up on this server"}

// routeImports registers the import operations under /listing-imports: an
// item path under /listings/imports/{id} would clash with /listings/{id}/…
// in the router (neither pattern is more specific than the other).
func routeImports(a huma.API, d Deps) {
	tags := []string{"Listings"}
	access := Access{Permission: "listing.import"}
	Register(a, huma.Operation{OperationID: "create-listing-import", Method: http.MethodPost, Path: Prefix + "/listing-imports",
		Tags: tags, Summary: "Import an MLS file", DefaultStatus: http.StatusAccepted,
		Description: "multipart/form-data with file (RESO JSON, JSON lines or CSV), and optionally format and source. " +
			"The file is stored and imported by a background job; poll the returned import for its status, counts and rejects. " +
			"Listings are matched on (OriginatingSystemName, OriginatingSystemKey): importing the same file again changes nothing."},
		access, func(ctx context.Context, in *ImportUploadInput) (*ImportOutput, error) {
			if d.Imports == nil {
				return nil, errImportsOff
			}
			f := in.RawBody.Data()
			form := in.RawBody.Form.Value
			imp, err := d.Imports.Upload(ctx, actor(ctx), f.File.Filename, f.File, formValue(form, "format", f.Format),
				formValue(form, "source", f.Source))
			if err != nil {
				return nil, err
			}
			return &ImportOutput{Location: Prefix + "/listing-imports/" + imp.ID.String(), Body: imp}, nil
		})
	Register(a, huma.Operation{OperationID: "list-listing-imports", Method: http.MethodGet, Path: Prefix + "/listing-imports",
		Tags: tags, Summary: "MLS imports, newest first", Description: "Without their rejects; fetch one import for those."},
		access, func(ctx context.Context, in *ImportsInput) (*struct{ Body listing.ImportPage }, error) {
			p, err := d.Listing.Imports(ctx, actor(ctx), in.Cursor, in.Limit)
			return &struct{ Body listing.ImportPage }{p}, err
		})
	Register(a, huma.Operation{OperationID: "get-listing-import", Method: http.MethodGet, Path: Prefix + "/listing-imports/{id}",
		Tags: tags, Summary: "One MLS import: status, counts and the first 1,000 rejects"},
		access, func(ctx context.Context, in *IDPath) (*struct{ Body listing.Import }, error) {
			imp, err := d.Listing.GetImport(ctx, actor(ctx), in.ID)
			return &struct{ Body listing.Import }{imp}, err
		})
}
