// Package seal protects the sensitive personal data a police records system
// has to keep (ID numbers, phone numbers, sensitive tags) so that a copy of
// the database, a backup or a log line is not by itself a disclosure.
//
// Values are sealed with AES-256-GCM under a key named inside the sealed
// bytes, so sealing keys can rotate: new writes use the current key while
// values written under older keys still open, and Reseal migrates them at
// leisure. Equality lookups over sealed columns use blind indexes instead,
// because randomised ciphertexts cannot be compared.
//
// Blind indexes deliberately do not rotate with the sealing key. A lookup
// computes the index of the value being searched for and compares it with
// the stored indexes, so every stored index must have been computed with the
// key the lookup uses; rotating that key silently would make existing rows
// unfindable, and unlike a ciphertext an index cannot name the key it was
// made with and be migrated lazily. A Sealer therefore pins one key id for
// indexing (the key file records it as its index key id) and always uses
// that key's Index, whatever the current sealing key is. Replacing the index
// key is a deliberate, offline re-indexing of every row followed by a change
// of the pinned id, never a side effect of rotating sealing keys.
package seal
