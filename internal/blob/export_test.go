package blob

// CorruptForTest flips a stored byte so tests can prove reads detect it;
// Memory has no disk to damage from outside.
func (m *Memory) CorruptForTest(sha256hex string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.blobs[sha256hex]
	if len(b) == 0 {
		m.blobs[sha256hex] = []byte{0}
		return
	}
	b[len(b)/2] ^= 0xff
}
