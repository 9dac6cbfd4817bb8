package casework

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/grassroots-policing/grassroots/internal/seal"
	"github.com/rs/zerolog"
)

// Kernel is the shared core every workflow service is built on: units,
// staff, persons, addresses, the permission check, sealing, audit, request
// keys, the outbox dispatcher, code lists, attachments and the report
// registry. Build one per database with New and pass it to each workflow's
// New.
type Kernel struct {
	store    KernelStore
	clock    Clock
	ids      IDSource
	policy   *Policy
	sealer   Sealer
	blobs    BlobStore
	notifier Notifier
	log      zerolog.Logger
	zone     *time.Location
	codes    *CodeLists
	validate *validation

	cpKey    ed25519.PrivateKey
	cpKeyID  string
	cpKeys   map[string]ed25519.PublicKey
	cpPolicy CheckpointPolicy

	unitPaths sync.Map                   // unit id → path; units never move, so this never goes stale
	staffs    *recordCache[Staff]        // staff records the permission check read; see Config.StaffCacheTTL
	persons   *recordCache[PersonRecord] // person records GetPerson read; see Config.PersonCacheTTL
	watcher   changeWatch                // drops from both what other processes changed; see Config.CacheWatch
	counter   WriteCounter               // the store, when it counts its writes (PageCache); else nil

	mu         sync.RWMutex
	receivers  map[string]Receiver
	writebacks map[string]Writeback
	figures    []FigureSource
	sweepers   []Sweeper
	personRefs []namedPersonRefs
	movers     map[string]AssignmentMover // by workflow name
	workflows  []string
	datesAhead time.Duration
	deliverer  string

	handoffMaxAttempts int
	attachmentTTL      time.Duration
	requestKeyTTL      time.Duration
}

// Config tunes a Kernel. A nil *Config, and every zero field, means the
// default.
type Config struct {
	Clock  Clock          // default: SystemClock
	IDs    IDSource       // default: ULIDs
	Policy *Policy        // default: NewPolicy()
	Zone   *time.Location // deployment time zone; default Asia/Shanghai

	// Sealer seals identity numbers, phones and sensitive tags. Default: a
	// fresh random key held only by this process — right for memory stores
	// and tests, wrong for a database that outlives the process, which
	// needs keys it can load again (see internal key files in examples).
	Sealer Sealer

	// Blobs keeps attachment bytes. Default: the store's own
	// (KernelStore.DefaultBlobs) — in memory for a memory store, in the
	// database for the SQL stores — never memory beside a durable store.
	Blobs BlobStore

	Notifier Notifier        // default: NopNotifier
	Logger   *zerolog.Logger // default: disabled

	// CheckpointKey signs audit checkpoints; CheckpointKeyID names it.
	// Default: a fresh key for this process. CheckpointKeys adds public keys
	// of earlier or other processes so their checkpoints verify too.
	CheckpointKey    ed25519.PrivateKey
	CheckpointKeyID  string
	CheckpointKeys   map[string]ed25519.PublicKey
	CheckpointPolicy CheckpointPolicy

	// DatesAhead is how far ahead of now any date in an input may lie
	// (default DefaultDatesAhead); nothing may lie before EarliestDate.
	DatesAhead time.Duration

	// Codes adds to or overrides the built-in code lists.
	Codes []CodeList

	// HandoffMaxAttempts is how many times DeliverPending tries a hand-off
	// before it is dead (listed by DeadHandoffs, replayed by ReplayHandoff).
	// Default 10. The wait before retry n is 2^n seconds, at most an hour,
	// so with the default a hand-off dies after about 17 minutes of
	// failures (2+4+…+512 s); 15 attempts give about 6 hours.
	HandoffMaxAttempts int

	// AttachmentTTL is how long an upload may wait for a record to link it
	// (CheckAttachment) before Sweep removes it and, when no other upload
	// names them, its bytes. Default DefaultAttachmentTTL (24 hours).
	AttachmentTTL time.Duration

	// RequestKeyTTL is how long a request key answers a repeat of its
	// request (CreateOnce): a request under an older key is a new request,
	// and Sweep deletes older keys. Default DefaultRequestKeyTTL (24 hours),
	// long enough for any client's retries, short enough that the keys do
	// not pile up.
	RequestKeyTTL time.Duration

	// StaffCacheTTL is how long the permission check may trust a staff
	// record it has read (default DefaultStaffCacheTTL, 2 seconds; negative
	// reads the store on every check). Within it, checking an actor costs
	// no query, so an authorised read costs the one query that loads the
	// record. It bounds staleness: a staff member deactivated, moved or
	// given other roles through this kernel (UpdateStaff) is seen at once;
	// one changed by another process sharing the database, within
	// CacheWatch and at the latest within the TTL (measured on Clock).
	StaffCacheTTL time.Duration

	// PersonCacheTTL is how long GetPerson (and PersonInReach, and the
	// reach check of a reference to a person) may answer from a person
	// record it has read (default DefaultPersonCacheTTL, 2 seconds;
	// negative reads the store every time). The cache holds the stored,
	// sealed record only: reach and permission are checked against its unit,
	// and masking is applied, on every read; a reveal always reads the
	// store. It bounds staleness: a person updated, merged (both sides) or
	// moved by a closing through this kernel is seen at once; one changed by
	// another process sharing the database, within CacheWatch (default
	// 100 ms) and at the latest within the TTL (measured on Clock), so a
	// person another process moved out of an actor's reach may still be
	// read by that actor for that long.
	PersonCacheTTL time.Duration

	// PersonCacheEntries bounds how many person records the cache keeps
	// (default DefaultPersonCacheEntries, about 11 MB; negative turns the
	// cache off).
	PersonCacheEntries int

	// CacheWatch is how often, at most, the staff and person caches read
	// the audit entries appended since they last looked (one small query
	// from one request) and drop the records they name, and the page
	// caches (PageCache) drop every page (default DefaultCacheWatch,
	// 100 ms; negative never looks, and a page cache then reads the
	// chain's head on every list). Every write through
	// a kernel, in any process sharing the database, is audited with the
	// records it changed, so a change by another process is then seen
	// within about this interval instead of the TTL; the TTLs still bound
	// what nothing audits (a row changed by hand in the database) and a
	// look that fails.
	CacheWatch time.Duration
}

// New builds a Kernel over a store.
func New(store KernelStore, cfg *Config) (*Kernel, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	k := &Kernel{
		store:      store,
		clock:      cfg.Clock,
		ids:        cfg.IDs,
		policy:     cfg.Policy,
		sealer:     cfg.Sealer,
		blobs:      cfg.Blobs,
		notifier:   cfg.Notifier,
		zone:       cfg.Zone,
		cpKey:      cfg.CheckpointKey,
		cpKeyID:    cfg.CheckpointKeyID,
		cpKeys:     map[string]ed25519.PublicKey{},
		cpPolicy:   cfg.CheckpointPolicy,
		receivers:  map[string]Receiver{},
		writebacks: map[string]Writeback{},
		movers:     map[string]AssignmentMover{},
		codes:      NewCodeLists(),
		log:        zerolog.Nop(),

		handoffMaxAttempts: cfg.HandoffMaxAttempts,
		attachmentTTL:      cfg.AttachmentTTL,
		requestKeyTTL:      cfg.RequestKeyTTL,
	}
	if k.attachmentTTL <= 0 {
		k.attachmentTTL = DefaultAttachmentTTL
	}
	if k.requestKeyTTL <= 0 {
		k.requestKeyTTL = DefaultRequestKeyTTL
	}
	staffTTL := cfg.StaffCacheTTL // negative: off
	if staffTTL == 0 {
		staffTTL = DefaultStaffCacheTTL
	}
	k.staffs = newRecordCache[Staff](staffTTL, staffCacheEntries)
	personTTL, personEntries := cfg.PersonCacheTTL, cfg.PersonCacheEntries // negative: off
	if personTTL == 0 {
		personTTL = DefaultPersonCacheTTL
	}
	if personEntries == 0 {
		personEntries = DefaultPersonCacheEntries
	}
	k.persons = newRecordCache[PersonRecord](personTTL, personEntries)
	k.counter, _ = store.(WriteCounter)
	k.watcher.every = cfg.CacheWatch // negative: off
	if k.watcher.every == 0 {
		k.watcher.every = DefaultCacheWatch
	}
	if k.handoffMaxAttempts <= 0 {
		k.handoffMaxAttempts = 10
	}
	k.figures = []FigureSource{deadHandoffFigures{k}}
	k.receivers[ShareNoticeKind] = k.receiveShareNotice
	if k.clock == nil {
		k.clock = SystemClock{}
	}
	if k.ids == nil {
		k.ids = ULIDSource{Clock: k.clock}
	}
	if k.policy == nil {
		k.policy = NewPolicy()
	}
	if k.zone == nil {
		k.zone = DefaultZone()
	}
	k.datesAhead = cfg.DatesAhead
	if k.datesAhead <= 0 {
		k.datesAhead = DefaultDatesAhead
	}
	if cfg.Logger != nil {
		k.log = *cfg.Logger
	}
	if k.notifier == nil {
		k.notifier = NopNotifier{}
	}
	if k.blobs == nil {
		k.blobs = store.DefaultBlobs()
	}
	if k.sealer == nil {
		s, err := ephemeralSealer()
		if err != nil {
			return nil, err
		}
		k.sealer = s
	}
	if k.cpKey == nil {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		k.cpKey, k.cpKeyID = priv, "ephemeral-"+k.ids.NewID()
	}
	if k.cpKeyID == "" {
		k.cpKeyID = "default"
	}
	for id, pub := range cfg.CheckpointKeys {
		k.cpKeys[id] = pub
	}
	k.cpKeys[k.cpKeyID] = k.cpKey.Public().(ed25519.PublicKey)
	for _, l := range cfg.Codes {
		k.codes.Add(l)
	}
	v, err := newValidation(k.clock)
	if err != nil {
		return nil, err
	}
	k.validate = v
	k.deliverer = "deliverer-" + k.ids.NewID()
	return k, nil
}

func ephemeralSealer() (Sealer, error) {
	kf, err := seal.NewKeyFile()
	if err != nil {
		return nil, fmt.Errorf("casework: generate ephemeral keys: %w", err)
	}
	return kf.Sealer()
}

// DefaultZone is Asia/Shanghai, from the embedded time zone database.
func DefaultZone() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Store returns the kernel's store.
func (k *Kernel) Store() KernelStore { return k.store }

// Now is the kernel clock's time, at storage precision.
func (k *Kernel) Now() time.Time { return Truncate(k.clock.Now()) }

// NewID returns a new record id.
func (k *Kernel) NewID() string { return k.ids.NewID() }

// Zone is the deployment's time zone: it sets every calendar boundary.
func (k *Kernel) Zone() *time.Location { return k.zone }

// Policy returns the permission table.
func (k *Kernel) Policy() *Policy { return k.policy }

// Codes returns the code lists.
func (k *Kernel) Codes() *CodeLists { return k.codes }

// Notifier returns the notifier services use for deadlines and high risk.
func (k *Kernel) Notifier() Notifier { return k.notifier }

// Logger returns the kernel's logger. Never log personal data through it.
func (k *Kernel) Logger() *zerolog.Logger { return &k.log }

// Sweeper is the convention for time-driven changes (an item becomes
// unclaimed after its holding period, a deadline approaches): the server
// calls Sweep periodically and tests call it with the time they want. A
// sweep is idempotent: running it twice at the same now changes nothing the
// second time.
type Sweeper interface {
	Sweep(ctx context.Context, now time.Time) (SweepResult, error)
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Changed  int
	Notified int
}

// Sweep removes the uploads no record linked in time (Config.
// AttachmentTTL) and the request keys older than Config.RequestKeyTTL, runs
// every registered sweeper at now, then takes an audit checkpoint if one is
// due. Deleted keys are not counted in the result: a key is no record and
// its deletion has no audit entry (it was never audited). The server calls it periodically; tests call it
// with the time they want.
func (k *Kernel) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	k.mu.RLock()
	sweepers := append([]Sweeper(nil), k.sweepers...)
	k.mu.RUnlock()
	total, err := k.sweepUploads(ctx, now)
	if err != nil {
		return total, err
	}
	if _, err := k.store.DeleteRequestKeys(ctx, now.Add(-k.requestKeyTTL)); err != nil {
		return total, err
	}
	for _, s := range sweepers {
		r, err := s.Sweep(ctx, now)
		total.Changed += r.Changed
		total.Notified += r.Notified
		if err != nil {
			return total, err
		}
	}
	_, err = k.Checkpoint(ctx, false)
	return total, err
}
