import LedgerLMDB
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation

/// The single writer. Commands queue here from any task; a dedicated thread takes everything
/// queued, runs it in one LMDB write transaction (group commit) and resumes each caller only after
/// the commit is durable.
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
    private let defaultArtifactRoot: String
    private let maxBatchSize: Int
    /// Present when commits need a flush before they are answered (a durable ledger).
    private let flusher: CommitFlusher?
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [PendingCommand] = []
    /// Callers answered since the writer last took a batch: most send another command at once.
    private var answeredSinceTake = 0
    /// How many queued commands wake the writer: it sleeps for the first, or for a whole batch
    /// while it coalesces (it looks again on its own after an arrival pause), so that a crowd of
    /// arrivals does not wake it once each.
    private var wakeAt = 1
    /// `pending.count`, readable without the lock (the writer polls it).
    private let queued = Atomic<Int>(0)
    private var isStopping = false
    private var isStopped = false
    private var thread: Thread?

    init(environment: Environment, log: EventLog, defaultArtifactRoot: String, maxBatchSize: Int) {
        self.environment = environment
        self.log = log
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
        if pending.count >= wakeAt { condition.signal() }
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

    /// How long the writer waits for callers it has just answered to come back before it takes a
    /// smaller batch: when arrivals pause this long, and never more than ``coalesceLimit`` in all.
    static let arrivalPause: TimeInterval = 100e-6
    static let coalesceLimit: TimeInterval = 2e-3

    private func run() {
        while true {
            pollBriefly()
            condition.lock()
            while pending.isEmpty && !isStopping { condition.wait() }
            coalesce()
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
            let take = min(pending.count, maxBatchSize)
            let batch = Array(pending.prefix(take))
            pending.removeFirst(take)
            answeredSinceTake = 0
            queued.store(pending.count, ordering: .relaxed)
            condition.unlock()
            process(batch)
        }
    }

    /// Waits (holding `condition`, which the wait releases) while more commands are on their way
    /// than are queued: those whose commit the flusher is making durable, and the callers answered
    /// since the last batch, who mostly send their next command at once.
    ///
    /// Each commit pays for its flushes whatever it holds, and on a disk where they dominate,
    /// commits of everyone waiting beat a stream of commits of whoever happened to arrive first:
    /// without this, 64 writers split into two cohorts that alternate, one being flushed while
    /// the other commits, and each commit held half of them. A lone caller waits for nothing (it
    /// is the one answered), and a wait ends when arrivals pause for ``arrivalPause``. A ledger
    /// that does not flush does not wait: there, commits cost CPU, which waiting only idles.
    private func coalesce() {
        guard flusher != nil else { return }
        let start = Date()
        var seen = (pending.count, answeredSinceTake)
        while !isStopping {
            let expected = Self.expectedCommands(queued: pending.count, answered: answeredSinceTake,
                                                 flushing: flusher?.awaiting ?? 0, maxBatchSize: maxBatchSize)
            if pending.count >= expected { break }
            let now = Date()
            if now.timeIntervalSince(start) > Self.coalesceLimit { break }
            wakeAt = expected
            let news = condition.wait(until: now.addingTimeInterval(Self.arrivalPause))
            let current = (pending.count, answeredSinceTake)
            if !news && current == seen && (flusher?.awaiting ?? 0) == 0 { break }
            seen = current
        }
        wakeAt = 1
    }

    /// How many commands the next batch should wait for: those `queued`, or the callers `answered`
    /// since the last batch if more (each is either among the queued or on its way), plus those
    /// `flushing` (committed, their callers not answered yet), at most a batch.
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

    /// Runs `batch` in one transaction. If the transaction fails as a whole (not a refused
    /// command, but storage or an inconsistency met while applying), each command is retried on its
    /// own so that one bad command cannot fail the others.
    private func process(_ batch: [PendingCommand]) {
        let outcomes: [Result<any Sendable, any Error>]
        do {
            outcomes = try environment.write { txn in try run(batch, txn) }
        } catch {
            if batch.count > 1 && !Self.isOutOfSpace(error, directory: environment.path) {
                for command in batch { process([command]) }
                return
            }
            let failure = Self.ledgerError(error, directory: environment.path)
            for command in batch { command.complete(.failure(failure)) }
            return
        }
        acknowledge(zip(batch, outcomes).map { CommitFlusher.Completion(command: $0, outcome: $1) })
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

    private func run(_ batch: [PendingCommand], _ txn: borrowing Transaction) throws -> [Result<any Sendable, any Error>] {
        var head = try log.head(txn)
        // Ledger time never decreases, whatever the wall clock does.
        let timestamp = max(Self.nowMicroseconds(), head.timestamp)
        var outcomes: [Result<any Sendable, any Error>] = []
        outcomes.reserveCapacity(batch.count)
        let reader = StateReader(db: log.db)
        var audit = AuditEntries()
        for command in batch {
            var decision = Decision(reader: reader, context: command.context, defaultArtifactRoot: defaultArtifactRoot, milliseconds: timestamp / 1000)
            let value: any Sendable
            do {
                value = try command.decide(txn, &decision)
            } catch let error as LedgerError where error.code.isDomainError {
                outcomes.append(.failure(error))
                continue
            }
            for event in decision.events {
                head = try log.append(event.payload, workspace: event.workspace, context: command.context, timestamp: timestamp, after: head, audit: &audit, txn)
            }
            outcomes.append(.success(value))
        }
        if outcomes.contains(where: { if case .success = $0 { true } else { false } }) {
            try audit.write(to: log.db.audit, txn)
            try log.setHead(head, txn)
        }
        return outcomes
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
