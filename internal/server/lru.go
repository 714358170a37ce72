package server

import (
	"container/list"
	"sync"
)

// lru is a bounded map that forgets its least recently used entry when
// full: the memory of recent deliveries, finished reviews and repositories
// must not grow with the server's uptime.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent; elements hold *entry[K, V]
	items map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, order: list.New(), items: make(map[K]*list.Element, min(max, 1024))}
}

// add stores key unless it is already there, and reports whether it was
// added: the check and the insert are one step, so two copies of a
// delivery arriving together cannot both be accepted.
func (l *lru[K, V]) add(key K, val V) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[key]; ok {
		l.order.MoveToFront(el)
		return false
	}
	l.insert(key, val)
	return true
}

// put stores key with val, replacing what was there.
func (l *lru[K, V]) put(key K, val V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[key]; ok {
		el.Value.(*entry[K, V]).val = val
		l.order.MoveToFront(el)
		return
	}
	l.insert(key, val)
}

func (l *lru[K, V]) insert(key K, val V) {
	l.items[key] = l.order.PushFront(&entry[K, V]{key: key, val: val})
	if l.order.Len() > l.max {
		oldest := l.order.Back()
		l.order.Remove(oldest)
		delete(l.items, oldest.Value.(*entry[K, V]).key)
	}
}

func (l *lru[K, V]) get(key K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[key]; ok {
		return el.Value.(*entry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (l *lru[K, V]) remove(key K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[key]; ok {
		l.order.Remove(el)
		delete(l.items, key)
	}
}

// values lists the stored values, most recent first.
func (l *lru[K, V]) values() []V {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]V, 0, l.order.Len())
	for el := l.order.Front(); el != nil; el = el.Next() {
		out = append(out, el.Value.(*entry[K, V]).val)
	}
	return out
}
