// Package templates holds the text files redisctl renders from typed data —
// node and sentinel configs, cloud-init user-data, the starter spec — embedded
// in the binary. Each template has a golden-file test.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

var parsed = template.Must(template.New("").Funcs(template.FuncMap{
	"join": strings.Join,
	"quote": func(s string) string {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	},
}).Option("missingkey=error").ParseFS(files, "*.tmpl"))

// Render executes the named template (its file name, e.g. "node.conf.tmpl")
// with data.
func Render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := parsed.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}
