import LedgerLMDB
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation

/// The single writer. Commands queue here from any task; a dedicated thread opens one LMDB write
/// transaction for everything queued, keeps applying the commands that arrive while it is open,
/// commits them together (group commit) and resumes each caller only after the commit is durable.
///
/// Each command stays atomic on its own: its decision either emits events, which are appended
/// with their projections, or throws and writes nothing, while the batch's other commands go on.
/// Batching costs a lone caller nothing: the thread waits only for callers it has just answered
/// (who mostly send their next command at once), never on a timer for strangers.
///
/// Durability: a commit flushes its data pages; the final flush that makes it durable runs on the
/// ``CommitFlusher`` while this thread goes on with the next batch (or here, when nothing else
/// waits). Until that flush, readers of this process may already see the commit, but its callers
/// have not been answered.
final class CommitQueue: @unchecked Sendable {
    let environment: Environment
    private let log: EventLog
    /// What decisions read the views through (built once: it holds a copy of every handle).
    private let reader: StateReader
    private let defaultArtifactRoot: String
    private let maxBatchSize: Int
    /// Present when commits need a flush before they are answered (a durable ledger).
    private let flusher: CommitFlusher?
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [PendingCommand] = []
    /// Callers answered since the last transaction stopped taking commands: most send another
    /// command at once.
    private var answeredSinceTake = 0
    /// `pending.count`, readable without the lock (the writer polls it).
    private let queued = Atomic<Int>(0)
    private var isStopping = false
    private var isStopped = false
    private var thread: Thread?

    init(environment: Environment, log: EventLog, defaultArtifactRoot: String, maxBatchSize: Int) {
        self.environment = environment
        self.log = log
        self.reader = StateReader(db: log.db)
        self.defaultArtifactRoot = defaultArtifactRoot
        self.maxBatchSize = maxBatchSize
        let configuration = environment.configuration
        let answers = Answers()
        flusher = configuration.durable && !configuration.metaSync ? CommitFlusher(environment: environment) { answers.note($0) } : nil
        let thread = Thread { [self] in run() }
        thread.name = "ledger-writer"
        self.thread = thread
        answers.queue = self
        thread.start()
    }

    /// Tells the queue about answers given on the flusher's thread (it holds the queue weakly:
    /// the queue owns the flusher).
    private final class Answers: @unchecked Sendable {
        weak var queue: CommitQueue?
        func note(_ count: Int) { queue?.noteAnswered(count) }
    }

    private func noteAnswered(_ count: Int) {
        condition.lock()
        answeredSinceTake += count
        condition.signal()
        condition.unlock()
    }

    /// How many commands wait for the writer (not yet taken into a transaction).
    var queuedCount: Int { queued.load(ordering: .relaxed) }

    /// Queues a command; throws `closed` once the queue is stopping.
    func submit(_ command: PendingCommand) {
        condition.lock()
        if isStopping {
            condition.unlock()
            command.complete(.failure(LedgerError(.closed, "the ledger is closed; reopen it to write")))
            return
        }
        pending.append(command)
        queued.store(pending.count, ordering: .relaxed)
        // Every arrival wakes a waiting writer: an open transaction applies commands as they come.
        // (Mostly nobody waits, the writer is applying, and a signal then costs no system call.)
        condition.signal()
        condition.unlock()
    }

    /// Finishes what is queued, then stops the thread. Blocks until it has stopped.
    func stop() {
        condition.lock()
        isStopping = true
        condition.broadcast()
        // The writer thread itself may drop the last reference; it must not wait for itself.
        let writer = thread
        let onWriterThread = Thread.current === writer
        if !onWriterThread {
            while !isStopped { condition.wait() }
        }
        // The thread's closure holds the queue (and so the environment): let both go.
        thread = nil
        condition.unlock()
        // Wait until the writer has really returned, so that closing the ledger closes its files
        // now rather than a moment later on that thread.
        if !onWriterThread, let writer {
            while !writer.isFinished { usleep(50) }
        }
    }

    /// How long the writer polls for the next command before it sleeps. A caller answered a
    /// moment ago usually sends its next command within tens of microseconds; catching it without
    /// a sleep and a wake-up (which costs as much again on an idle machine) shortens every
    /// command of a busy client.
    static let pollNanoseconds: UInt64 = 50_000

    /// How long an open transaction waits for callers just answered to come back before it
    /// commits what it holds: until arrivals pause this long, and never once it has been open
    /// for ``coalesceLimit``.
    static let arrivalPause: TimeInterval = 100e-6
    static let coalesceLimit: Duration = .milliseconds(2)

    private func run() {
        while true {
            pollBriefly()
            condition.lock()
            while pending.isEmpty && !isStopping { condition.wait() }
            if pending.isEmpty && isStopping {
                // Answer every commit before saying stopped.
                condition.unlock()
                flusher?.stop()
                condition.lock()
                isStopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            commit([], takingArrivals: true)
        }
    }

    /// Takes the next commands for the open transaction, which holds `taken` so far: whatever is
    /// queued, else, on a durable ledger, waits for the commands it knows are coming (see
    /// ``expectedCommands(queued:answered:flushing:maxBatchSize:)``) until they arrive, arrivals
    /// pause for ``arrivalPause`` or ``coalesceLimit`` has passed since `start`. Returns nil when
    /// the transaction should commit.
    ///
    /// Each commit pays for its flushes whatever it holds, and on a disk where they dominate,
    /// commits of everyone waiting beat a stream of commits of whoever happened to arrive first:
    /// without the wait, 64 writers split into two cohorts that alternate, one being flushed while
    /// the other commits, and each commit held half of them. The transaction is open while it
    /// waits, so the commands that came first are applied while the rest are on their way. A lone
    /// caller waits for nothing (it is the one answered). A ledger that does not flush does not
    /// wait: there, commits cost CPU, which waiting only idles.
    private func takeMore(taken: Int, since start: ContinuousClock.Instant) -> [PendingCommand]? {
        condition.lock()
        defer { condition.unlock() }
        var seen = (pending.count, answeredSinceTake, flusher?.awaiting ?? 0)
        while taken < maxBatchSize {
            if !pending.isEmpty {
                var commands: [PendingCommand] = []
                if pending.count <= maxBatchSize - taken {
                    swap(&commands, &pending)
                } else {
                    commands = Array(pending.prefix(maxBatchSize - taken))
                    pending.removeFirst(commands.count)
                }
                queued.store(pending.count, ordering: .relaxed)
                return commands
            }
            guard let flusher, !isStopping else { break }
            let expected = Self.expectedCommands(queued: taken, answered: answeredSinceTake, flushing: flusher.awaiting, maxBatchSize: maxBatchSize)
            if taken >= expected || ContinuousClock.now - start > Self.coalesceLimit { break }
            let news = condition.wait(until: Date().addingTimeInterval(Self.arrivalPause))
            let current = (pending.count, answeredSinceTake, flusher.awaiting)
            if !news && current == seen && current.2 == 0 { break }
            seen = current
        }
        // What is answered from now on belongs to the next transaction.
        answeredSinceTake = 0
        return nil
    }

    /// How many commands the transaction should wait for: those `queued` (taken or waiting), or
    /// the callers `answered` since the last transaction stopped taking if more (each is either
    /// among the queued or on its way), plus those `flushing` (committed, their callers not
    /// answered yet), at most a batch.
    static func expectedCommands(queued: Int, answered: Int, flushing: Int, maxBatchSize: Int) -> Int {
        min(max(queued, answered) + flushing, maxBatchSize)
    }

    /// Returns once a command is queued or ``pollNanoseconds`` have passed.
    private func pollBriefly() {
        let start = DispatchTime.now().uptimeNanoseconds
        while queued.load(ordering: .relaxed) == 0 {
            if DispatchTime.now().uptimeNanoseconds - start > Self.pollNanoseconds { return }
        }
    }

    /// Runs one write transaction of `initial` and, when `takingArrivals`, of the commands queued
    /// and those that arrive while it is open (``takeMore(taken:since:)``). If the transaction
    /// fails as a whole (not a refused command, but storage or an inconsistency met while
    /// applying), each command is retried on its own so that one bad command cannot fail the
    /// others.
    private func commit(_ initial: [PendingCommand], takingArrivals: Bool) {
        var taken = initial
        let start = ContinuousClock.now
        let outcomes: [Result<any Sendable, any Error>]
        do {
            // After a full map the transaction runs again: with what it had taken, then more.
            outcomes = try environment.write { txn in
                var batch = try beginBatch(txn)
                for command in taken { try apply(command, to: &batch, txn) }
                while takingArrivals, let more = takeMore(taken: taken.count, since: start) {
                    // Taken before applied: if one fails, the others must still be answered.
                    taken += more
                    for command in more { try apply(command, to: &batch, txn) }
                }
                return try finish(&batch, txn)
            }
        } catch {
            if taken.count > 1 && !Self.isOutOfSpace(error, directory: environment.path) {
                for command in taken { commit([command], takingArrivals: false) }
                return
            }
            let failure = Self.ledgerError(error, directory: environment.path)
            for command in taken { command.complete(.failure(failure)) }
            return
        }
        acknowledge(zip(taken, outcomes).map { CommitFlusher.Completion(command: $0, outcome: $1) })
    }

    /// Answers the commands of a commit once it is durable: at once without a flusher; here after
    /// a flush when nothing else is queued (a lone caller waits for no thread hop); otherwise on
    /// the flusher while this thread starts on the next batch.
    private func acknowledge(_ completions: [CommitFlusher.Completion]) {
        guard let flusher else {
            CommitFlusher.Completion.resume(completions)
            noteAnswered(completions.count)
            return
        }
        if queued.load(ordering: .relaxed) == 0 {
            flusher.flushNow(completions)
            noteAnswered(completions.count)
        } else {
            flusher.enqueue(completions)
        }
    }

    /// What one transaction has applied so far: its commands are applied one after another,
    /// each deciding against the views as the commands before it left them.
    private struct Batch {
        var head: LogHead
        /// Ledger time never decreases, whatever the wall clock does.
        let timestamp: Int64
        var audit = AuditEntries()
        var outcomes: [Result<any Sendable, any Error>] = []
        var succeeded = 0
    }

    private func beginBatch(_ txn: borrowing Transaction) throws -> Batch {
        let head = try log.head(txn)
        return Batch(head: head, timestamp: max(Self.nowMicroseconds(), head.timestamp))
    }

    /// Decides `command` and appends its events with their projections; a refused command
    /// writes nothing and the others go on. (A method of the queue, not of the batch: reaching
    /// the log through a stored reference copied it, every handle in it, for each event.)
    private func apply(_ command: PendingCommand, to batch: inout Batch, _ txn: borrowing Transaction) throws {
        var decision = Decision(reader: reader, context: command.context, defaultArtifactRoot: defaultArtifactRoot, milliseconds: batch.timestamp / 1000)
        let value: any Sendable
        do {
            value = try command.decide(txn, &decision)
        } catch let error as LedgerError where error.code.isDomainError {
            batch.outcomes.append(.failure(error))
            return
        }
        for event in decision.events {
            batch.head = try log.append(event.payload, workspace: event.workspace, context: command.context, timestamp: batch.timestamp,
                                        after: batch.head, audit: &batch.audit, txn)
        }
        batch.outcomes.append(.success(value))
        batch.succeeded += 1
    }

    /// Writes the audit entries gathered and the new head; returns each command's outcome.
    private func finish(_ batch: inout Batch, _ txn: borrowing Transaction) throws -> [Result<any Sendable, any Error>] {
        if batch.succeeded > 0 {
            try batch.audit.write(to: log.db.audit, txn)
            try log.setHead(batch.head, txn)
        }
        return batch.outcomes
    }

    static func nowMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }

    static func isOutOfSpace(_ error: any Error, directory: String? = nil) -> Bool {
        guard let error = error as? LMDBError else { return false }
        if error.isOutOfSpace { return true }
        // LMDB reports a short write (what a full disk gives mid-commit) as EIO.
        if error.code == .ioError, let directory, let free = freeBytes(directory) {
            return free < 16 << 20
        }
        return false
    }

    /// Bytes available to this process on the file system holding `directory`.
    static func freeBytes(_ directory: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// Maps a storage error to a ``LedgerError`` with a message an operator can act on.
    static func ledgerError(_ error: any Error, directory: String? = nil) -> LedgerError {
        if let error = error as? LedgerError { return error }
        if let error = error as? LMDBError {
            if isOutOfSpace(error, directory: directory) {
                return LedgerError(.storageFull, "the disk holding the ledger is full (\(error)); nothing of this request was written: free space and retry")
            }
            return LedgerError(.storage, "storage failure: \(error)")
        }
        return LedgerError(.storage, "unexpected failure: \(error)")
    }
}
