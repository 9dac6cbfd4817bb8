package seal

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// ErrKeyFilePermissions reports a key file readable or writable by anyone
// but its owner. Loading it anyway would hide that the keys may already be
// exposed, so it is refused until an operator tightens it (chmod 600) or
// replaces the keys.
var ErrKeyFilePermissions = errors.New("seal: key file permissions are looser than 0600")

// ErrNoEnvKeys reports that none of the key environment variables are set,
// letting a server fall back to a key file instead of failing.
var ErrNoEnvKeys = errors.New("seal: no keys in environment")

// Environment variables read by KeysFromEnv.
const (
	EnvSealKey       = "GRASSROOTS_SEAL_KEY"
	EnvIndexKey      = "GRASSROOTS_INDEX_KEY"
	EnvSealKeyID     = "GRASSROOTS_SEAL_KEY_ID"
	EnvCheckpointKey = "GRASSROOTS_CHECKPOINT_KEY"
)

// DefaultEnvKeyID names the key taken from the environment when
// GRASSROOTS_SEAL_KEY_ID is unset.
const DefaultEnvKeyID = "env"

const keyFileVersion = 1

// KeyFile is everything a server needs to protect data at rest: the sealing
// keys (current and retired), which of them is pinned for blind indexes, and
// the Ed25519 key that signs audit checkpoints. Keeping them in one file
// means there is a single secret to back up and protect.
type KeyFile struct {
	SealKeyID  string // key new values are sealed with
	IndexKeyID string // key whose Index computes blind indexes; never changes with rotation
	Keys       []Key
	Checkpoint ed25519.PrivateKey // nil only when loaded from an environment without one
}

// String keeps key material out of logs.
func (kf KeyFile) String() string {
	ids := make([]string, len(kf.Keys))
	for i, k := range kf.Keys {
		ids[i] = k.ID
	}
	return fmt.Sprintf("seal.KeyFile{SealKeyID: %q, IndexKeyID: %q, Keys: %q, <redacted>}", kf.SealKeyID, kf.IndexKeyID, ids)
}

// GoString redacts %#v for the same reason as String.
func (kf KeyFile) GoString() string { return kf.String() }

// MarshalJSON refuses, so that a KeyFile handed to a JSON logger fails
// loudly; the file format is written only by GenerateKeyFile.
func (kf KeyFile) MarshalJSON() ([]byte, error) {
	return nil, errors.New("seal: refusing to marshal key file")
}

// Provider returns the sealing keys as a KeyProvider.
func (kf KeyFile) Provider() (*StaticKeys, error) {
	return NewStaticKeys(kf.SealKeyID, kf.Keys...)
}

// Sealer returns a Sealer over the file's keys with its pinned index key.
func (kf KeyFile) Sealer() (*Sealer, error) {
	p, err := kf.Provider()
	if err != nil {
		return nil, err
	}
	if _, ok := p.keys[kf.IndexKeyID]; !ok {
		return nil, fmt.Errorf("%w: index key %q is not among the keys", ErrInvalidKey, kf.IndexKeyID)
	}
	return NewSealer(p, kf.IndexKeyID)
}

func (kf KeyFile) validate() error {
	if _, err := kf.Sealer(); err != nil {
		return err
	}
	if kf.Checkpoint != nil && len(kf.Checkpoint) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: checkpoint key is %d bytes, want %d", ErrInvalidKey, len(kf.Checkpoint), ed25519.PrivateKeySize)
	}
	return nil
}

// NewKeyFile returns fresh random keys: one sealing key, pinned as the index
// key too, and a checkpoint signing key. Ids carry the creation date so an
// operator can tell key generations apart.
func NewKeyFile() (*KeyFile, error) {
	var suffix [3]byte
	rand.Read(suffix[:])
	id := "k" + time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(suffix[:])
	k := Key{ID: id, Seal: make([]byte, KeySize), Index: make([]byte, KeySize)}
	rand.Read(k.Seal)
	rand.Read(k.Index)
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, fmt.Errorf("seal: generate checkpoint key: %w", err)
	}
	return &KeyFile{SealKeyID: id, IndexKeyID: id, Keys: []Key{k}, Checkpoint: priv}, nil
}

// keyFileJSON is the on-disk format; []byte fields encode as standard
// base64. The checkpoint key is stored as its 32-byte seed, the canonical
// Ed25519 private key form.
type keyFileJSON struct {
	Version        int       `json:"version"`
	SealKeyID      string    `json:"seal_key_id"`
	IndexKeyID     string    `json:"index_key_id"`
	Keys           []keyJSON `json:"keys"`
	CheckpointSeed []byte    `json:"checkpoint_seed"`
}

type keyJSON struct {
	ID    string `json:"id"`
	Seal  []byte `json:"seal"`
	Index []byte `json:"index"`
}

// maxKeyFileSize bounds what LoadKeyFile reads so a wrong path (a log, a
// device) fails fast instead of being slurped into memory.
const maxKeyFileSize = 1 << 20

// GenerateKeyFile creates a key file with fresh keys at path, so a server
// with no setup can make its own keys on first run. The file is mode 0600
// and its directory is created 0700 if missing. It never replaces an
// existing file, since that would make everything sealed under the old keys
// unreadable; an existing path yields an error matching fs.ErrExist. The
// file appears complete or not at all, so a crash cannot leave a half
// written key file behind.
func GenerateKeyFile(path string) (*KeyFile, error) {
	kf, err := NewKeyFile()
	if err != nil {
		return nil, err
	}
	if err := writeKeyFile(path, kf); err != nil {
		return nil, err
	}
	return kf, nil
}

func writeKeyFile(path string, kf *KeyFile) (err error) {
	if kf.Checkpoint == nil {
		return fmt.Errorf("%w: key file needs a checkpoint key", ErrInvalidKey)
	}
	if err := kf.validate(); err != nil {
		return err
	}
	doc := keyFileJSON{
		Version:        keyFileVersion,
		SealKeyID:      kf.SealKeyID,
		IndexKeyID:     kf.IndexKeyID,
		CheckpointSeed: kf.Checkpoint.Seed(),
	}
	for _, k := range kf.Keys {
		doc.Keys = append(doc.Keys, keyJSON(k))
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("seal: encode key file: %w", err)
	}
	data = append(data, '\n')

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("seal: create key directory: %w", err)
	}
	// Write a temporary file and hard-link it into place: the link is atomic
	// and, unlike rename, refuses to replace an existing key file.
	tmp, err := os.CreateTemp(dir, ".keys-*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("seal: create key file: %w", err)
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("seal: chmod key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("seal: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("seal: sync key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("seal: close key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("seal: key file %s already exists, refusing to replace keys: %w", path, fs.ErrExist)
		}
		return fmt.Errorf("seal: install key file: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes the new directory entry durable. It is best effort because
// some platforms cannot fsync a directory, and the file itself is synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// LoadKeyFile reads a key file written by GenerateKeyFile. It refuses a file
// whose permissions allow group or other access (ErrKeyFilePermissions) and
// validates every key, so a damaged or mis-set file stops the server at
// start-up. A missing file yields an error matching fs.ErrNotExist.
func LoadKeyFile(path string) (*KeyFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: open key file: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the checked file is the read one.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: stat key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("seal: key file %s is not a regular file", path)
	}
	// Windows does not express ownership through mode bits.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is %#o", ErrKeyFilePermissions, path, st.Mode().Perm())
	}
	dec := json.NewDecoder(&limitedReader{f: f, n: maxKeyFileSize})
	dec.DisallowUnknownFields()
	var doc keyFileJSON
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("seal: decode key file %s: %w", path, err)
	}
	if doc.Version != keyFileVersion {
		return nil, fmt.Errorf("seal: key file %s has unsupported version %d", path, doc.Version)
	}
	if len(doc.CheckpointSeed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: checkpoint seed is %d bytes, want %d", ErrInvalidKey, len(doc.CheckpointSeed), ed25519.SeedSize)
	}
	kf := &KeyFile{
		SealKeyID:  doc.SealKeyID,
		IndexKeyID: doc.IndexKeyID,
		Checkpoint: ed25519.NewKeyFromSeed(doc.CheckpointSeed),
	}
	for _, k := range doc.Keys {
		kf.Keys = append(kf.Keys, Key(k))
	}
	if err := kf.validate(); err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return kf, nil
}

// EnsureKeyFile loads the key file at path, generating it first if it does
// not exist; created reports which happened so the server can tell the
// operator to back the new file up. Two processes racing on first run end
// up with the same keys.
func EnsureKeyFile(path string) (kf *KeyFile, created bool, err error) {
	kf, err = LoadKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return kf, false, err
	}
	kf, err = GenerateKeyFile(path)
	if errors.Is(err, fs.ErrExist) {
		kf, err = LoadKeyFile(path)
		return kf, false, err
	}
	return kf, err == nil, err
}

// limitedReader fails instead of silently truncating, so an oversized file
// is reported as such rather than as a JSON syntax error.
type limitedReader struct {
	f *os.File
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("seal: key file larger than %d bytes", maxKeyFileSize)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

// KeysFromEnv builds keys from the environment for deployments that inject
// secrets rather than mount files: GRASSROOTS_SEAL_KEY and
// GRASSROOTS_INDEX_KEY (base64, 32 bytes each) are required,
// GRASSROOTS_SEAL_KEY_ID names the key (default "env") and
// GRASSROOTS_CHECKPOINT_KEY optionally holds the base64 Ed25519 seed. The
// environment holds a single sealing key, so rotating means moving to a key
// file; the index key is a separate variable and must never change.
// lookup is usually os.LookupEnv. If none of the variables is set the error
// matches ErrNoEnvKeys, so the caller can fall back to a key file.
func KeysFromEnv(lookup func(string) (string, bool)) (*KeyFile, error) {
	sealB64, haveSeal := lookup(EnvSealKey)
	indexB64, haveIndex := lookup(EnvIndexKey)
	if !haveSeal && !haveIndex {
		return nil, ErrNoEnvKeys
	}
	if !haveSeal || !haveIndex {
		return nil, fmt.Errorf("%w: %s and %s must be set together", ErrInvalidKey, EnvSealKey, EnvIndexKey)
	}
	sealKey, err := decodeBase64(EnvSealKey, sealB64, KeySize)
	if err != nil {
		return nil, err
	}
	indexKey, err := decodeBase64(EnvIndexKey, indexB64, KeySize)
	if err != nil {
		return nil, err
	}
	id := DefaultEnvKeyID
	if v, ok := lookup(EnvSealKeyID); ok && strings.TrimSpace(v) != "" {
		id = strings.TrimSpace(v)
	}
	kf := &KeyFile{
		SealKeyID:  id,
		IndexKeyID: id,
		Keys:       []Key{{ID: id, Seal: sealKey, Index: indexKey}},
	}
	if v, ok := lookup(EnvCheckpointKey); ok && strings.TrimSpace(v) != "" {
		seed, err := decodeBase64(EnvCheckpointKey, v, ed25519.SeedSize)
		if err != nil {
			return nil, err
		}
		kf.Checkpoint = ed25519.NewKeyFromSeed(seed)
	}
	if err := kf.validate(); err != nil {
		return nil, err
	}
	return kf, nil
}

// decodeBase64 accepts any common base64 alphabet and padding, because
// operators generate keys with whatever tool is at hand, and tolerates the
// trailing newline secret files usually carry. Errors never echo the value.
func decodeBase64(name, value string, size int) ([]byte, error) {
	value = strings.TrimSpace(value)
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		b, err := enc.DecodeString(value)
		if err != nil {
			continue
		}
		if len(b) != size {
			return nil, fmt.Errorf("%w: %s decodes to %d bytes, want %d", ErrInvalidKey, name, len(b), size)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s is not valid base64", ErrInvalidKey, name)
}
