package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/document"
)

// DocumentListInput filters and searches documents.
type DocumentListInput struct {
	Q          string `query:"q" maxLength:"200" doc:"full-text search over titles, file names and the text of PDFs and text files"`
	EntityType string `query:"entity_type" enum:"property,listing,client,deal,lease,unit,work_order"`
	EntityID   string `query:"entity_id" maxLength:"36"`
	Category   string `query:"category" maxLength:"60"`
	Cursor     string `query:"cursor" maxLength:"500"`
	Limit      int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// DocumentsOutput is a page of documents, ranked when searched.
type DocumentsOutput struct{ Body document.HitPage }

// DocumentOutput is one document.
type DocumentOutput struct{ Body document.Document }

// DocumentUploadInput files a document: multipart with its first file.
type DocumentUploadInput struct {
	RawBody huma.MultipartFormFiles[struct {
		File        huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"the file; its type is sniffed from its contents"`
		Title       string        `form:"title" maxLength:"200"`
		Category    string        `form:"category" maxLength:"60"`
		EntityType  string        `form:"entity_type" enum:"property,listing,client,deal,lease,unit,work_order"`
		EntityID    string        `form:"entity_id" maxLength:"36"`
		Visibility  string        `form:"visibility" required:"false" enum:"staff,participants,public" doc:"default staff"`
		RetainUntil string        `form:"retain_until" required:"false" maxLength:"10" doc:"YYYY-MM-DD"`
	}]
}

// DocumentVersionInput uploads a new version.
type DocumentVersionInput struct {
	ID      realty.ID `path:"id"`
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true"`
	}]
}

// DocumentUpdateInput changes a document.
type DocumentUpdateInput struct {
	ID   realty.ID `path:"id"`
	Body document.Update
}

// DocumentVersionOutput is one version.
type DocumentVersionOutput struct{ Body document.Version }

// DocumentVersionsOutput lists versions.
type DocumentVersionsOutput struct {
	Body struct {
		Items []document.Version `json:"items"`
	}
}

// DocumentContentInput picks a version and how it is served.
type DocumentContentInput struct {
	ID      realty.ID `path:"id"`
	Version int       `query:"version" minimum:"0" maximum:"100000" doc:"0 or absent: the current version"`
	Inline  bool      `query:"inline" doc:"show in the browser (logged as a view) rather than download"`
}

// DocumentContentOutput streams a version's bytes.
type DocumentContentOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentLength      string `header:"Content-Length"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

// ShareCreateInput makes a share link.
type ShareCreateInput struct {
	ID   realty.ID `path:"id"`
	Body document.ShareInput
}

// ShareOutput is a share link, with its token when just made.
type ShareOutput struct {
	Body struct {
		document.Share
		Token string `json:"token,omitempty" doc:"shown only now; the link is /shared/<token>"`
	}
}

// SharesOutput lists share links.
type SharesOutput struct {
	Body struct {
		Items []document.Share `json:"items"`
	}
}

// AccessLogOutput is a document's access log.
type AccessLogOutput struct {
	Body struct {
		Items []document.Access `json:"items"`
	}
}

func routeDocuments(a huma.API, d Deps) {
	tags := []string{"Documents"}
	read, write := Access{Permission: "document.read"}, Access{Permission: "document.write"}
	share, manage := Access{Permission: "document.share"}, Access{Permission: "document.manage"}
	Register(a, huma.Operation{OperationID: "list-documents", Method: http.MethodGet, Path: Prefix + "/documents", Tags: tags,
		Summary: "Documents, newest first, or searched by their text (ranked)"}, read,
		func(ctx context.Context, in *DocumentListInput) (*DocumentsOutput, error) {
			id, err := optionalID(in.EntityID, "entity_id")
			if err != nil {
				return nil, err
			}
			page, err := d.Document.List(ctx, actor(ctx), document.Filter{Query: in.Q, EntityType: in.EntityType, EntityID: id,
				Category: in.Category, Limit: in.Limit, Cursor: in.Cursor})
			return &DocumentsOutput{Body: page}, err
		})
	Register(a, huma.Operation{OperationID: "create-document", Method: http.MethodPost, Path: Prefix + "/documents", Tags: tags,
		Summary: "File a document with its first version", DefaultStatus: http.StatusCreated,
		Description: "multipart/form-data. Accepted types, sniffed from the bytes: PDF, plain text, JPEG, PNG, WebP, GIF, office files (ZIP)."},
		write, func(ctx context.Context, in *DocumentUploadInput) (*DocumentOutput, error) {
			f, v := in.RawBody.Data(), in.RawBody.Form.Value
			input, err := documentInput(v, f.Title, f.Category, f.EntityType, f.EntityID, f.Visibility, f.RetainUntil)
			if err != nil {
				return nil, err
			}
			doc, err := d.Document.Create(ctx, actor(ctx), input, document.File{Name: f.File.Filename, Body: f.File})
			return &DocumentOutput{Body: doc}, err
		})
	Register(a, huma.Operation{OperationID: "get-document", Method: http.MethodGet, Path: Prefix + "/documents/{id}", Tags: tags,
		Summary: "One document and its current version"}, read, func(ctx context.Context, in *IDPath) (*DocumentOutput, error) {
		doc, err := d.Document.Get(ctx, actor(ctx), in.ID)
		return &DocumentOutput{Body: doc}, err
	})
	Register(a, huma.Operation{OperationID: "update-document", Method: http.MethodPatch, Path: Prefix + "/documents/{id}", Tags: tags,
		Summary: "Change a document's title, category, visibility or retention", Description: "Changing retain_until needs document.manage."},
		write, func(ctx context.Context, in *DocumentUpdateInput) (*DocumentOutput, error) {
			doc, err := d.Document.Update(ctx, actor(ctx), in.ID, in.Body)
			return &DocumentOutput{Body: doc}, err
		})
	Register(a, huma.Operation{OperationID: "delete-document", Method: http.MethodDelete, Path: Prefix + "/documents/{id}", Tags: tags,
		Summary: "Delete a document (kept for the retention rules, gone from every list and link)", DefaultStatus: http.StatusNoContent},
		manage, func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Document.Delete(ctx, actor(ctx), in.ID)
		})
	routeDocumentVersions(a, d, tags, read, write)
	routeDocumentShares(a, d, tags, share)
}

func routeDocumentVersions(a huma.API, d Deps, tags []string, read, write Access) {
	Register(a, huma.Operation{OperationID: "list-document-versions", Method: http.MethodGet, Path: Prefix + "/documents/{id}/versions",
		Tags: tags, Summary: "A document's versions, newest first"}, read, func(ctx context.Context, in *IDPath) (*DocumentVersionsOutput, error) {
		list, err := d.Document.Versions(ctx, actor(ctx), in.ID)
		out := &DocumentVersionsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "add-document-version", Method: http.MethodPost, Path: Prefix + "/documents/{id}/versions",
		Tags: tags, Summary: "Upload a new version, which becomes current", DefaultStatus: http.StatusCreated}, write,
		func(ctx context.Context, in *DocumentVersionInput) (*DocumentVersionOutput, error) {
			f := in.RawBody.Data()
			v, err := d.Document.AddVersion(ctx, actor(ctx), in.ID, document.File{Name: f.File.Filename, Body: f.File})
			return &DocumentVersionOutput{Body: v}, err
		})
	Register(a, huma.Operation{OperationID: "get-document-content", Method: http.MethodGet, Path: Prefix + "/documents/{id}/content",
		Tags: tags, Summary: "A version's file (logged in the access log)"}, read,
		func(ctx context.Context, in *DocumentContentInput) (*DocumentContentOutput, error) {
			r, v, err := d.Document.Open(ctx, actor(ctx), in.ID, in.Version, in.Inline, client(ctx))
			if err != nil {
				return nil, err
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			return &DocumentContentOutput{ContentType: v.ContentType, ContentLength: strconv.Itoa(len(b)),
				ContentDisposition: Disposition(v.FileName, in.Inline), CacheControl: "private, no-store", Body: b}, nil
		})
}

func routeDocumentShares(a huma.API, d Deps, tags []string, share Access) {
	Register(a, huma.Operation{OperationID: "list-document-shares", Method: http.MethodGet, Path: Prefix + "/documents/{id}/shares",
		Tags: tags, Summary: "A document's share links"}, share, func(ctx context.Context, in *IDPath) (*SharesOutput, error) {
		list, err := d.Document.Shares(ctx, actor(ctx), in.ID)
		out := &SharesOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-document-share", Method: http.MethodPost, Path: Prefix + "/documents/{id}/shares",
		Tags: tags, Summary: "Make a share link", DefaultStatus: http.StatusCreated,
		Description: "The token is shown once. Staff-only documents cannot be shared."}, share,
		func(ctx context.Context, in *ShareCreateInput) (*ShareOutput, error) {
			s, token, err := d.Document.CreateShare(ctx, actor(ctx), in.ID, in.Body)
			out := &ShareOutput{}
			out.Body.Share, out.Body.Token = s, token
			return out, err
		})
	Register(a, huma.Operation{OperationID: "revoke-document-share", Method: http.MethodDelete, Path: Prefix + "/document-shares/{id}",
		Tags: tags, Summary: "Revoke a share link at once", DefaultStatus: http.StatusNoContent}, share,
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			_, err := d.Document.RevokeShare(ctx, actor(ctx), in.ID)
			return nil, err
		})
	Register(a, huma.Operation{OperationID: "get-document-access-log", Method: http.MethodGet, Path: Prefix + "/documents/{id}/access-log",
		Tags: tags, Summary: "Every view, download and refused link of a document, newest first"}, share,
		func(ctx context.Context, in *IDPath) (*AccessLogOutput, error) {
			list, err := d.Document.AccessLog(ctx, actor(ctx), in.ID)
			out := &AccessLogOutput{}
			out.Body.Items = list
			return out, err
		})
}

// documentInput reads the text fields of a document upload (decoded, or
// raw from the form).
func documentInput(v map[string][]string, title, category, entityType, entityID, visibility, retain string) (document.Input, error) {
	in := document.Input{Title: formValue(v, "title", title), Category: formValue(v, "category", category),
		EntityType: formValue(v, "entity_type", entityType), Visibility: formValue(v, "visibility", visibility)}
	id, err := optionalID(formValue(v, "entity_id", entityID), "entity_id")
	if err != nil {
		return in, err
	}
	if id == nil {
		return in, realty.FieldError("entity_id", "is required")
	}
	in.EntityID = *id
	if r := formValue(v, "retain_until", retain); r != "" {
		day, err := realty.ParseDate(r)
		if err != nil {
			return in, realty.FieldError("retain_until", "must be a date YYYY-MM-DD")
		}
		in.RetainUntil = &day
	}
	return in, nil
}

// Disposition is the Content-Disposition of a served file: inline or an
// attachment, with its (already cleaned) name.
func Disposition(name string, inline bool) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	return mime.FormatMediaType(kind, map[string]string{"filename": name})
}
