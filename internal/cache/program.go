package cache

import (
	"crypto/sha256"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"sync"
)

// Program names the running program's build: its Go build ID, which changes
// with any change to its code or dependencies, read from the executable's
// note (ELF), or else the SHA-256 of the whole executable. Results computed
// by one build are never taken for another's.
var Program = sync.OnceValues(program)

func program() ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("identify this program: %w", err)
	}
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if s := f.Section(".note.go.buildid"); s != nil {
			if b, err := s.Data(); err == nil && len(b) > 16 {
				return append([]byte("go-buildid:"), b...), nil
			}
		}
	}
	f, err := os.Open(exe)
	if err != nil {
		return nil, fmt.Errorf("identify this program: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("identify this program: %w", err)
	}
	return append([]byte("sha256:"), h.Sum(nil)...), nil
}
