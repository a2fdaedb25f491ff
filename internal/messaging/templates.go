package messaging

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Each kind has templates/<kind>.txt defining "subject" and "text" (text
// templates) and templates/<kind>.html, the HTML body (an html/template,
// which escapes what the data holds). Both see a View.
//
//go:embed templates
var templateFiles embed.FS

// Each file is parsed on its own: every text file defines the same names.
var (
	textTemplates = map[string]*texttemplate.Template{}
	htmlTemplates = map[string]*htmltemplate.Template{}
)

func init() {
	for _, k := range Kinds {
		if t, err := texttemplate.New(k.Name).Option("missingkey=error").ParseFS(templateFiles, "templates/"+k.Name+".txt"); err == nil {
			textTemplates[k.Name] = t
		}
		if t, err := htmltemplate.New(k.Name+".html").Option("missingkey=error").ParseFS(templateFiles, "templates/"+k.Name+".html"); err == nil {
			htmlTemplates[k.Name] = t
		}
	}
}

// View is what a template sees: the organization's name and the
// delivery's data.
type View struct {
	Organization string
	Data         map[string]any
}

// Rendered is one e-mail's subject and bodies.
type Rendered struct {
	Subject, Text, HTML string
}

// Render renders kind's templates with v. An error means a template or its
// data is wrong, which no retry mends.
func Render(kind string, v View) (Rendered, error) {
	var subject, text, html bytes.Buffer
	txt, page := textTemplates[kind], htmlTemplates[kind]
	if txt == nil || page == nil {
		return Rendered{}, fmt.Errorf("render %s: no template", kind)
	}
	if err := txt.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", kind, err)
	}
	if err := txt.ExecuteTemplate(&text, "text", v); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", kind, err)
	}
	if err := page.Execute(&html, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s html: %w", kind, err)
	}
	return Rendered{Subject: strings.Join(strings.Fields(subject.String()), " "), Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}
