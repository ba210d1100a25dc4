package templates

import (
	"strings"
	"testing"
)

func TestStarter(t *testing.T) {
	for _, layout := range []string{"single", "ha", "cluster"} {
		t.Run(layout, func(t *testing.T) {
			got, err := Render("starter.yaml.tmpl", Starter{File: "redisctl.yaml", Name: "my-redis", Layout: layout})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), "\nlayout: "+layout+"\n") {
				t.Errorf("starter for %s does not set its layout:\n%s", layout, got)
			}
			golden(t, "starter-"+layout+".yaml", got)
		})
	}
}
