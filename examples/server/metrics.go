package main

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/grassroots-policing/grassroots/casework"
)

// metrics is what /metrics exposes: the requests by route pattern (never
// the path, which holds ids), method and status; their latency; and the
// state of the database, the outbox and the audit chain, read when
// scraped. Each app has its own registry, so that several servers in one
// process (tests) never share a counter.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	authFail *prometheus.CounterVec

	// seen keeps each (route, method, status)'s counter and histogram once
	// looked up, so that counting a request reads a map, without a lock
	// or hashing its labels and formatting its status anew (a twelfth of
	// the access log's CPU on a GET). The map is replaced, never changed;
	// the label sets are bounded (routes, methods, statuses).
	seen   atomic.Pointer[map[observedKey]observed]
	seenMu sync.Mutex // serialises replacing seen
}

type observedKey struct {
	route, method string
	status        int
}

type observed struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics(db *sql.DB, k *casework.Kernel, loops ...*loopState) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "grassroots_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "grassroots_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route pattern and method.", Buckets: prometheus.DefBuckets}, []string{"route", "method"}),
		authFail: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "grassroots_auth_failures_total",
			Help: "Requests refused 401, by the reason their authentication failed (a closed set)."}, []string{"reason"}),
	}
	for _, r := range authReasons { // every reason shows, at zero until it happens
		m.authFail.WithLabelValues(string(r))
	}
	m.reg.MustRegister(m.requests, m.latency, m.authFail, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &stateCollector{db: db, k: k}, loopCollector(loops))
	if db != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, "grassroots"))
	}
	return m
}

// observe counts one answered request.
func (m *metrics) observe(route, method string, status int, took time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default: // a client's invented method must not grow a label without bound
		method = "other"
	}
	k := observedKey{route, method, status}
	o, ok := m.observedFor(k)
	if !ok {
		o = m.lookUp(k)
	}
	o.requests.Inc()
	o.latency.Observe(took.Seconds())
}

func (m *metrics) observedFor(k observedKey) (observed, bool) {
	if seen := m.seen.Load(); seen != nil {
		o, ok := (*seen)[k]
		return o, ok
	}
	return observed{}, false
}

// lookUp finds k's metrics in the vectors and keeps them in seen.
func (m *metrics) lookUp(k observedKey) observed {
	m.seenMu.Lock()
	defer m.seenMu.Unlock()
	if o, ok := m.observedFor(k); ok {
		return o
	}
	o := observed{requests: m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.status)),
		latency: m.latency.WithLabelValues(k.route, k.method)}
	next := map[observedKey]observed{k: o}
	if seen := m.seen.Load(); seen != nil {
		maps.Copy(next, *seen)
	}
	m.seen.Store(&next)
	return o
}

// authFailed counts one failed authentication.
func (m *metrics) authFailed(reason authReason) {
	m.authFail.WithLabelValues(string(reason)).Inc()
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

var (
	outboxPendingDesc = prometheus.NewDesc("grassroots_outbox_pending",
		"Hand-offs committed but not yet delivered (nor dead): the outbox's depth.", nil, nil)
	outboxDeadDesc = prometheus.NewDesc("grassroots_outbox_dead",
		"Hand-offs out of attempts, waiting for an admin to replay them.", nil, nil)
	auditLengthDesc = prometheus.NewDesc("grassroots_audit_chain_length",
		"Entries in the hash-chained audit log (its head's sequence number).", nil, nil)
	checkpointAgeDesc = prometheus.NewDesc("grassroots_audit_last_checkpoint_age_seconds",
		"Time since the newest signed audit checkpoint; absent before the first (the sweep takes them).", nil, nil)
	stateErrorDesc = prometheus.NewDesc("grassroots_metrics_read_errors",
		"Figures of this scrape that could not be read from the database.", nil, nil)
)

// stateCollector reads the outbox and the audit chain at each scrape
// (several processes share one database: no process's memory holds them).
type stateCollector struct {
	db *sql.DB // nil for the memory store
	k  *casework.Kernel
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{outboxPendingDesc, outboxDeadDesc, auditLengthDesc, checkpointAgeDesc, stateErrorDesc} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := 0
	gauge := func(d *prometheus.Desc, v int64, err error) {
		if err != nil {
			failed++
			return
		}
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	st := c.k.Store()
	pending, err := c.pending(ctx, st)
	gauge(outboxPendingDesc, pending, err)
	dead, err := st.CountDeadOutbox(ctx)
	gauge(outboxDeadDesc, dead, err)
	head, err := st.AuditHead(ctx)
	gauge(auditLengthDesc, head.Seq, err)
	if at, ok, err := c.lastCheckpoint(ctx, st); err != nil {
		failed++
	} else if ok {
		ch <- prometheus.MustNewConstMetric(checkpointAgeDesc, prometheus.GaugeValue, c.k.Now().Sub(at).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(stateErrorDesc, prometheus.GaugeValue, float64(failed))
}

// pending counts the undelivered live hand-offs: one COUNT on a database
// (the kernel store has no such read; its index outbox_pending serves
// it), a walk of the messages on the memory store.
func (c *stateCollector) pending(ctx context.Context, st casework.KernelStore) (int64, error) {
	var n int64
	if c.db != nil {
		if err := c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL`).Scan(&n); err != nil {
			return 0, err
		}
		return n, nil
	}
	msgs, err := st.ListOutbox(ctx, "", "")
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if !m.Delivered() && !m.Dead() {
			n++
		}
	}
	return n, nil
}

// lastCheckpoint is the time of the newest checkpoint, if any: one row by
// the primary key on a database, the store's list on the memory store.
func (c *stateCollector) lastCheckpoint(ctx context.Context, st casework.KernelStore) (time.Time, bool, error) {
	if c.db != nil {
		var micros int64
		err := c.db.QueryRowContext(ctx, `SELECT at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&micros)
		if errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, false, nil
		}
		return time.UnixMicro(micros), err == nil, err
	}
	cps, err := st.Checkpoints(ctx)
	if err != nil || len(cps) == 0 {
		return time.Time{}, false, err
	}
	return cps[len(cps)-1].Time, true, nil
}

var (
	loopRunAgeDesc = prometheus.NewDesc("grassroots_loop_last_run_age_seconds",
		"Time since a background loop (outbox, sweep) last finished a run, failed or not.", []string{"loop"}, nil)
	loopOKAgeDesc = prometheus.NewDesc("grassroots_loop_last_success_age_seconds",
		"Time since a background loop's last successful run; absent before the first.", []string{"loop"}, nil)
	loopFailuresDesc = prometheus.NewDesc("grassroots_loop_failures_total",
		"Runs of a background loop that failed or panicked.", []string{"loop"}, nil)
	loopUpDesc = prometheus.NewDesc("grassroots_loop_alive",
		"1 while a background loop is alive as /readyz judges it, else 0.", []string{"loop"}, nil)
)

// loopCollector exposes what each background loop records of itself
// (loopState): in memory, so it costs nothing to scrape.
type loopCollector []*loopState

func (c loopCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{loopRunAgeDesc, loopOKAgeDesc, loopFailuresDesc, loopUpDesc} {
		ch <- d
	}
}

func (c loopCollector) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	for _, l := range c {
		ch <- prometheus.MustNewConstMetric(loopRunAgeDesc, prometheus.GaugeValue, now.Sub(time.Unix(0, l.lastRun.Load())).Seconds(), l.name)
		if ok := l.lastOK.Load(); ok != 0 {
			ch <- prometheus.MustNewConstMetric(loopOKAgeDesc, prometheus.GaugeValue, now.Sub(time.Unix(0, ok)).Seconds(), l.name)
		}
		ch <- prometheus.MustNewConstMetric(loopFailuresDesc, prometheus.CounterValue, float64(l.failures.Load()), l.name)
		alive := 1.0
		if l.alive(now) != nil {
			alive = 0
		}
		ch <- prometheus.MustNewConstMetric(loopUpDesc, prometheus.GaugeValue, alive, l.name)
	}
}
