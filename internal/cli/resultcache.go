package cli

import (
	"fmt"
	"io"

	"github.com/triangulate-nhs/triangulate/internal/cache"
)

// openCache opens the result cache in dir (--cache-dir), or in the user
// cache directory when dir is "". It is nil with noCache (--no-cache), or
// when the directory cannot be used: a command never fails for want of a
// cache; it computes every result and says why on warnings, naming what it
// does without the cache ("checking", "reading history").
func openCache(warnings io.Writer, dir string, noCache bool, doing string) *cache.Cache {
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
		fmt.Fprintf(warnings, "warning: %s without the result cache: %v\n", doing, err)
		return nil
	}
	return c
}

// trimCache keeps the cache under its bound once a command has written to
// it; a cache that cannot be trimmed costs a warning, not the command. A nil
// cache is nothing to trim.
func trimCache(warnings io.Writer, c *cache.Cache) {
	if err := c.Trim(); err != nil {
		fmt.Fprintf(warnings, "warning: %v\n", err)
	}
}

// warningsTo is where a command's warnings go: stderr, or nowhere with
// --quiet.
func warningsTo(stderr io.Writer, quiet bool) io.Writer {
	if quiet {
		return io.Discard
	}
	return stderr
}
