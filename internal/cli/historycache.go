package cli

import (
	"fmt"
	"io"

	"github.com/triangulate-nhs/triangulate/internal/cache"
)

// openHistoryCache opens the result cache for a command that reads results
// from git history (submissions, contracts --weekly): in dir (--cache-dir),
// or in the user cache directory when dir is "". It is nil when noCache
// (--no-cache), or when the directory cannot be used: the command then
// computes every result, and says why.
func openHistoryCache(stderr io.Writer, dir string, noCache bool) *cache.Cache {
	if noCache {
		return nil
	}
	var err error
	if dir == "" {
		dir, err = cache.DefaultDir()
	}
	var c *cache.Cache
	if err == nil {
		c, err = cache.Open(dir, 0)
	}
	if err != nil {
		fmt.Fprintf(stderr, "warning: reading history without the result cache: %v\n", err)
		return nil
	}
	return c
}

// trimCache keeps the cache under its bound once a command has written to
// it; a cache that cannot be trimmed costs a warning, not the command.
func trimCache(stderr io.Writer, c *cache.Cache) {
	if err := c.Trim(); err != nil {
		fmt.Fprintf(stderr, "warning: %v\n", err)
	}
}
