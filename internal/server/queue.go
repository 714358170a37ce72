package server

import (
	"context"
	"errors"
	"sync"
	"time"
)

var (
	errQueueFull  = errors.New("review queue is full")
	errClosed     = errors.New("server is shutting down")
	errSuperseded = errors.New("superseded by newer work for the same pull request")
	errShutdown   = errors.New("server shut down before the review finished")
)

// mode says how a submitted task treats work already in hand for its key.
type mode int

const (
	// active: a delivery asking for this head now. It replaces queued
	// work for the key and cancels a running review of anything else.
	active mode = iota
	// refresh: judge again because the submission branch moved. Work
	// already queued for the key will be judged against the new tip
	// anyway, so it is kept; a running review (which may have started
	// before the move) finishes, with the refresh queued behind it.
	refresh
	// passive: reconcile and retries. Any work in hand for the key wins.
	passive
)

// task is one unit of queued work: a review, or a fan-out that lists the
// open pull requests and queues a review for each.
type task struct {
	key     string // what is serialised: one pull request, one merge group, one repository's fan-out
	job     Job
	fan     *fanout   // non-nil: list and queue instead of reviewing
	at      time.Time // the pull request's updated_at when known: orders deliveries that arrive out of order
	attempt int       // 1 for the first try
	mode    mode
}

// fanout turns one event into a review per matching open pull request.
type fanout struct {
	kind    string // Kind of the jobs it queues
	baseRef string // only pull requests based on this branch ("" any)
	headSHA string // only pull requests whose head is this commit ("" any)
}

// same reports whether two tasks would do the same work: a second copy is
// a duplicate, not newer work.
func (t *task) same(o *task) bool {
	if (t.fan == nil) != (o.fan == nil) || (t.fan != nil && *t.fan != *o.fan) {
		return false
	}
	return t.job.HeadSHA == o.job.HeadSHA && t.job.BaseRef == o.job.BaseRef && t.job.BaseSHA == o.job.BaseSHA
}

// older reports whether t describes an earlier state of the pull request
// than o, when both payloads said when.
func (t *task) older(o *task) bool {
	return !t.at.IsZero() && !o.at.IsZero() && t.at.Before(o.at)
}

// verdict is what submit did with a task.
type verdict int

const (
	queued    verdict = iota // waiting for a worker
	replaced                 // queued, dropping older queued work for the key
	duplicate                // the same work is queued, running or just finished
	stale                    // older than work already in hand for the key
	held                     // a refresh or passive task yielding to work in hand
)

// slot is the state of one key: at most one task queued and one running,
// which is what serialises reviews of a pull request.
type slot struct {
	queued  *task
	running *task
	cancel  context.CancelCauseFunc // cancels the running task
}

// queue holds the pending work. Its bound counts queued keys, so a newer
// head for a pull request already queued replaces the old one and never
// needs room.
type queue struct {
	mu       sync.Mutex
	wake     *sync.Cond
	slots    map[string]*slot
	ready    []string // keys with queued work and nothing running, oldest first
	depth    int      // slots with queued work
	running  int
	capacity int
	closed   bool
	done     *lru[string, *task] // key -> last review that finished without error
	observe  func(depth, running int)
}

func newQueue(capacity, doneMemory int, observe func(depth, running int)) *queue {
	q := &queue{slots: map[string]*slot{}, capacity: capacity, done: newLRU[string, *task](doneMemory), observe: observe}
	q.wake = sync.NewCond(&q.mu)
	return q
}

// submit queues tasks, all or none when bounded and the queue lacks room.
// Deliveries are bounded; work the server derives itself (a fan-out's
// reviews, reconcile, retries) is not, because refusing it would lose it,
// and it is bounded anyway by the repositories' open pull requests.
func (q *queue) submit(ts []*task, bounded bool) ([]verdict, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, errClosed
	}
	if bounded {
		need := 0
		for _, t := range ts {
			if s := q.slots[t.key]; s == nil || s.queued == nil {
				need++
			}
		}
		if q.depth+need > q.capacity {
			return nil, errQueueFull
		}
	}
	out := make([]verdict, len(ts))
	for i, t := range ts {
		out[i] = q.place(t)
	}
	q.observe(q.depth, q.running)
	return out, nil
}

func (q *queue) place(t *task) verdict {
	s := q.slots[t.key]
	if s == nil {
		s = &slot{}
		q.slots[t.key] = s
	}
	if last, ok := q.done.get(t.key); ok && s.queued == nil && s.running == nil {
		switch {
		case t.job.Kind == KindPullRequest && last.same(t):
			q.forget(t.key, s)
			return duplicate
		case t.mode == passive && last.job.HeadSHA == t.job.HeadSHA:
			// Pending listed the head before this process finished it.
			q.forget(t.key, s)
			return duplicate
		}
	}
	if (s.running != nil && s.running.same(t)) || (s.queued != nil && s.queued.same(t)) {
		return duplicate
	}
	switch t.mode {
	case passive:
		if s.queued != nil || s.running != nil {
			return held
		}
	case refresh:
		if s.queued != nil {
			return held
		}
	case active:
		if (s.queued != nil && t.older(s.queued)) || (s.running != nil && t.older(s.running)) {
			return stale
		}
	}
	v := queued
	if s.queued != nil {
		v = replaced
	} else {
		q.depth++
		if s.running == nil {
			q.ready = append(q.ready, t.key)
			q.wake.Signal()
		}
	}
	s.queued = t
	if t.mode == active && s.running != nil && s.cancel != nil {
		s.cancel(errSuperseded)
		s.cancel = nil // cancelled once; the worker still owns the slot
	}
	return v
}

// forget drops a slot that place created for nothing.
func (q *queue) forget(key string, s *slot) {
	if s.queued == nil && s.running == nil {
		delete(q.slots, key)
	}
}

// take blocks until a task is ready or the queue closes, and marks it
// running under a context that a newer task for its key cancels.
func (q *queue) take(base context.Context) (*task, context.Context, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.ready) == 0 && !q.closed {
		q.wake.Wait()
	}
	if q.closed {
		return nil, nil, false
	}
	key := q.ready[0]
	q.ready[0] = ""
	q.ready = q.ready[1:]
	s := q.slots[key]
	t := s.queued
	s.queued, s.running = nil, t
	q.depth--
	q.running++
	ctx, cancel := context.WithCancelCause(base)
	s.cancel = cancel
	q.observe(q.depth, q.running)
	return t, ctx, true
}

// finish ends a running task; ok records a finished review so the same
// work arriving again is recognised as a duplicate.
func (q *queue) finish(t *task, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.slots[t.key]
	if s.cancel != nil {
		s.cancel(nil) // releases the context's resources
	}
	s.running, s.cancel = nil, nil
	q.running--
	if ok && t.fan == nil {
		q.done.put(t.key, t)
	}
	switch {
	case s.queued != nil && !q.closed:
		q.ready = append(q.ready, t.key)
		q.wake.Signal()
	case s.queued == nil:
		delete(q.slots, t.key)
	}
	q.observe(q.depth, q.running)
}

// close refuses new work and wakes idle workers so they return; running
// tasks go on. It returns how many queued tasks are dropped.
func (q *queue) close() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.wake.Broadcast()
	return q.depth
}

// idle reports whether nothing is queued or running.
func (q *queue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.depth == 0 && q.running == 0
}

// accepting reports whether submit would take work.
func (q *queue) accepting() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.closed
}
