// Package delivery is the trail sink: it reads the event log in windows of one
// delivery interval and writes, for every logging trail, the events the trail selects
// as gzip JSON log files ({"Records":[…]}) in AWS's key layout into an object store,
// then notifies the trail's notification target.
//
// # Exactly once, by construction
//
// The event log is the source of truth; delivery keeps one small state document in
// the MetaStore (bucket "delivery", key "state"): a cursor (the last event sequence
// that has been planned) and the list of pending jobs. At each interval boundary the
// Scheduler plans a window: the events after the cursor up to the log's last event.
// For every trail that was logging, it records a job {trail snapshot, first and last
// sequence, delivery time} and advances the cursor, in one compare-and-set write.
// A job is a pure function of what it records: executing it scans that range of the
// log, keeps the events the snapshot selects (account, regions, global service
// events, logging periods, event selectors), writes them in log order into files
// split before MaxFileBytes, and names each file from the delivery time and a hash of
// (trail, region, range, part). Executing a job twice therefore writes the same keys
// with the same bytes: a job interrupted by a crash, an outage or a denied write is
// simply executed again until every file is stored, and only then removed from the
// state. Jobs not yet started may be merged with the trail's next window (same
// snapshot, adjacent range), so an outage leaves one pending job per trail, not one
// per interval. A job is marked started before its first write.
//
// Files are built by streaming gzip into temporary files in the spool directory, so
// memory does not grow with file size.
//
// # Written as events arrive
//
// Reading and compressing a large window all at once, when it closes, would take
// CPU from API calls in a burst. So the Scheduler also writes the open window's
// files ahead, once a second, from the events appended since (a prebuild), at its
// CPU share. A step that reaches the window's boundary stops there, so a closed
// window is planned at once however far behind the step is. When the window is
// planned, each job that covers the same range with the same trail snapshot takes
// its prebuilt files: closing the window then leaves only the last second's events
// and the upload. Any other job (a trail created or changed during the window, a
// merged job, a retry, a job left by a crash) is built from the log as above. Both
// ways write the same bytes under the same keys, so the prebuild is only a cache:
// losing it in a crash costs work, never correctness.
//
// Files are stored by a goroutine of their own (the uploader), at a quarter of their
// job's CPU share (see uploadShare), so that a slow store never holds up the writing
// of the open window's files. A job handed to the uploader is not picked again until
// it is done or failed.
//
// Imports: the root package, eventlog (for its Message type), service/cloudtrail
// (trails, selectors and their status document), and the standard library.
package delivery
