package main

import (
	"net/http"

	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"

	"github.com/grassroots-policing/grassroots/openapi"
)

// specHandler serves the contract as written (application/yaml, RFC 9512).
func specHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openapi.Spec)
}

// docsHandler is Swagger UI 5 reading /openapi.yaml, its scripts and styles
// embedded in the binary by swgui's v5emb: police networks are often
// offline, so the page must load nothing from elsewhere.
func docsHandler() http.Handler {
	return v5emb.NewHandlerWithConfig(swgui.Config{Title: "Grassroots API", SwaggerJSON: "/openapi.yaml", BasePath: "/docs/",
		SettingsUI: map[string]string{"persistAuthorization": "true"}})
}
