package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	cmem "github.com/grassroots-policing/grassroots/casework/cases/memstore"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/mediation"
	medmem "github.com/grassroots-policing/grassroots/mediation/memstore"
	"github.com/grassroots-policing/grassroots/openapi"
	"github.com/grassroots-policing/grassroots/outreach"
	outmem "github.com/grassroots-policing/grassroots/outreach/memstore"
	"github.com/grassroots-policing/grassroots/recovery"
	recmem "github.com/grassroots-policing/grassroots/recovery/memstore"
)

// user is the application's own account record. StaffID links it to the
// Grassroots staff member the user acts as; the application keeps no roles
// of its own for the API.
type user struct {
	name, staffID string
	passwordHash  []byte // bcrypt
}

// session is a logged-in user, found by the random id in the cookie.
type session struct {
	user    *user
	expires time.Time
}

const (
	sessionCookie = "app_session"
	sessionTTL    = 8 * time.Hour
)

// passwordCost is bcrypt's work factor for the application's passwords.
// The tests lower it: every hash costs them seconds under the race detector.
var passwordCost = bcrypt.DefaultCost

// app is the existing application: its users, its sessions, its pages, and
// the Grassroots API mounted under /policing/.
type app struct {
	mux    *http.ServeMux
	kernel *casework.Kernel
	users  map[string]*user
	// decoy is checked against when the user is unknown, so that an answer
	// takes as long for a wrong name as for a wrong password.
	decoy []byte

	mu       sync.Mutex
	sessions map[string]session
}

var (
	errNoSession = errors.New("no valid session")
	errCrossSite = errors.New("a change from another site (Origin does not match)")
	errNotActive = errors.New("the session's staff member is not active")
)

// newApp builds the application with one user, wang, linked to an officer
// of 般阳路派出所, and one reported dispute; it returns wang's password,
// made up at random on every start.
func newApp(ctx context.Context) (*app, string, error) {
	db := memstore.New() // the Grassroots stores; an application would use casework/sqlstore
	k, err := casework.New(db, nil)
	if err != nil {
		return nil, "", err
	}
	cfg := &openapi.Config{Kernel: k}
	if cfg.Cases, err = cases.New(k, cmem.New(db), nil); err != nil {
		return nil, "", err
	}
	if cfg.Mediation, err = mediation.New(k, medmem.New(db), nil); err != nil {
		return nil, "", err
	}
	if cfg.Outreach, err = outreach.New(k, outmem.New(db), nil); err != nil {
		return nil, "", err
	}
	if cfg.Recovery, err = recovery.New(k, recmem.New(db), nil); err != nil {
		return nil, "", err
	}
	cfg.Cases.Connect(cfg.Recovery)
	a := &app{mux: http.NewServeMux(), kernel: k, users: map[string]*user{}, sessions: map[string]session{}}
	cfg.Auth = a // the application's sessions authenticate API calls
	api, err := openapi.NewHandler(cfg)
	if err != nil {
		return nil, "", err
	}
	password, err := a.seed(ctx, cfg.Mediation)
	if err != nil {
		return nil, "", err
	}
	a.mux.HandleFunc("GET /{$}", a.home)
	a.mux.HandleFunc("POST /login", a.login)
	a.mux.HandleFunc("POST /logout", a.logout)
	// StripPrefix leaves /v1/… for the handler, which still writes Location
	// headers under /policing/v1/….
	a.mux.Handle("/policing/", http.StripPrefix("/policing", api))
	return a, password, nil
}

// seed creates the station, its officer, the user linked to the officer
// and a dispute for the officer to find.
func (a *app) seed(ctx context.Context, med *mediation.Service) (string, error) {
	station, admin, err := a.kernel.Bootstrap(ctx, casework.UnitInput{Code: "370302001", Name: "般阳路派出所", Level: casework.LevelStation},
		casework.StaffInput{Name: "管理员"})
	if err != nil {
		return "", err
	}
	roles := []casework.Role{casework.RoleCommunityOfficer}
	officer, err := a.kernel.CreateStaff(ctx, casework.Actor{StaffID: admin.ID, UnitID: station.ID, Roles: admin.Roles},
		casework.StaffInput{UnitID: station.ID, Name: "王民警", Roles: roles})
	if err != nil {
		return "", err
	}
	actor := casework.Actor{StaffID: officer.ID, UnitID: station.ID, Roles: roles}
	if _, err := med.Report(ctx, actor, mediation.ReportInput{UnitID: station.ID, Category: "neighbour/noise",
		Source: mediation.SourceWalkIn, Facts: "楼上楼下因噪音争吵"}); err != nil {
		return "", err
	}
	password := rand.Text()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost)
	if err != nil {
		return "", err
	}
	a.users["wang"] = &user{name: "wang", staffID: officer.ID, passwordHash: hash}
	a.decoy, err = bcrypt.GenerateFromPassword([]byte(rand.Text()), passwordCost)
	return password, err
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Authenticate implements openapi.Authenticator with the application's
// session: the cookie names a session, the session a user, the user a
// staff id, and the stored staff record gives unit and roles. A change
// (any method but GET, HEAD, OPTIONS) must come from this application's
// own pages, since a browser sends the cookie with requests from anywhere
// a SameSite rule does not stop.
func (a *app) Authenticate(r *http.Request) (casework.Actor, error) {
	if !safeMethod(r.Method) && !sameOrigin(r) {
		return casework.Actor{}, errCrossSite
	}
	u, ok := a.current(r)
	if !ok {
		return casework.Actor{}, errNoSession
	}
	st, err := a.kernel.Store().GetStaff(r.Context(), u.staffID)
	if err != nil {
		return casework.Actor{}, fmt.Errorf("look up staff %s: %w", u.staffID, err)
	}
	if !st.Active {
		return casework.Actor{}, errNotActive
	}
	return casework.Actor{StaffID: st.ID, UnitID: st.UnitID, Roles: st.Clone().Roles}, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sameOrigin: a browser names the page's origin in Origin (or at least
// says cross-site in Sec-Fetch-Site); a client with neither is no browser,
// and a cookie it sends is its own.
func sameOrigin(r *http.Request) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return origin == scheme+"://"+r.Host
	}
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin" || site == "none"
}

// current returns the user of the request's session, if it is valid.
func (a *app) current(r *http.Request) (*user, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[c.Value]
	if !ok || time.Now().After(s.expires) {
		delete(a.sessions, c.Value)
		return nil, false
	}
	return s.user, true
}

var homePage = template.Must(template.New("home").Parse(`<!doctype html><title>Station app</title>
{{if .}}<p>Logged in as {{.}}. The API: <a href="/policing/v1/disputes">/policing/v1/disputes</a></p>
<form method="post" action="/logout"><button>Log out</button></form>
{{else}}<form method="post" action="/login"><input name="user"> <input name="password" type="password"> <button>Log in</button></form>{{end}}`))

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	name := ""
	if u, ok := a.current(r); ok {
		name = u.name
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = homePage.Execute(w, name)
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, errCrossSite.Error(), http.StatusForbidden)
		return
	}
	u, ok := a.users[r.PostFormValue("user")]
	hash := a.decoy
	if ok {
		hash = u.passwordHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(r.PostFormValue("password"))) != nil || !ok {
		http.Error(w, "wrong user or password", http.StatusUnauthorized)
		return
	}
	id := rand.Text()
	a.mu.Lock()
	a.sessions[id] = session{user: u, expires: time.Now().Add(sessionTTL)}
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, errCrossSite.Error(), http.StatusForbidden)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
