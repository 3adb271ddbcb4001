package main

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// dirWatch watches a directory of manifests, and the directories under it,
// with fsnotify. Events are coalesced: changed receives once for any number
// of events since the last receive, and the reload that follows reads the
// whole directory and applies only the objects that differ (see world), so
// a burst of writes costs a few cheap reads, and a file caught mid-write
// fails its reload (logged) until the write that completes it.
type dirWatch struct {
	w    *fsnotify.Watcher
	ch   chan struct{}
	errs chan error
	done chan struct{}
}

func newDirWatch(dir string) (*dirWatch, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = w.Add(path)
		}
		return err
	})
	if err != nil {
		w.Close()
		return nil, err
	}
	dw := &dirWatch{w: w, ch: make(chan struct{}, 1), errs: make(chan error, 1), done: make(chan struct{})}
	go dw.loop()
	return dw, nil
}

func (d *dirWatch) loop() {
	defer close(d.done)
	for {
		select {
		case ev, ok := <-d.w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				// A new directory is watched too. Not a file: Add would
				// watch it on its own (a second watch, and every event
				// twice), and the directory's watch already covers it.
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					_ = d.w.Add(ev.Name) // gone again already: nothing to watch
				}
			}
			select {
			case d.ch <- struct{}{}:
			default: // a reload is already due
			}
		case err, ok := <-d.w.Errors:
			if !ok {
				return
			}
			select {
			case d.errs <- err:
			default:
			}
		}
	}
}

func (d *dirWatch) changed() <-chan struct{} { return d.ch }
func (d *dirWatch) failed() <-chan error     { return d.errs }
func (d *dirWatch) why() string              { return "manifests changed" }

func (d *dirWatch) stop() {
	d.w.Close()
	<-d.done
}
