import Foundation
import LedgerCore
import LedgerLMDB

/// The SPEC §6 measurements, each beside a bare reference measured in the same run.
struct CoreBenchmarks {
    let options: BenchmarkOptions
    let report: Report
    /// This run's scratch directory (removed by the caller).
    let root: String

    func path(_ name: String) -> String { root + "/" + name }

    // MARK: - Ledger lifetime

    /// Opens a ledger, runs `body`, closes it and waits until it is released, so that the same
    /// directory can be opened again (LMDB wants one handle per directory per process).
    static func withLedger<R>(_ directory: String, durable: Bool, create: Bool = true, _ body: (Ledger) async throws -> R) async throws -> R {
        weak var released: Ledger?
        let result: R
        do {
            let ledger = try await Workload.open(directory, durable: durable, create: create)
            released = ledger
            defer { ledger.close() }
            result = try await body(ledger)
        }
        var waited = 0
        while released != nil && waited < 100 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        if released != nil { progress("warning: the ledger at \(directory) is still referenced after close") }
        return result
    }

    // MARK: - 1. Durable single-command commit

    /// Latencies (ns) of lone createExperiment and logMetric commands and of bare one-put commits,
    /// in interleaved blocks.
    func singlePhase(_ name: String, durable: Bool) async throws -> (create: Stats, metric: Stats, reference: Stats, stopped: Bool) {
        let bare = try BareLMDB.open(path("bare-" + name), durable: durable)
        let budget = nanos() + 120_000_000_000
        return try await Self.withLedger(path(name), durable: durable) { ledger in
            let context = Contexts.http(actor: "bench-client", client: 0, request: 0)
            let experiment = try await ledger.createExperiment(name: "latency", in: "default", context: context)
            let runID = try await ledger.createRun(experimentID: experiment.id, in: "default", context: context).info.runID
            var names = 0
            var keys: UInt64 = 0
            var step: Int64 = 0
            var create: [Double] = []
            var metric: [Double] = []
            var reference: [Double] = []
            func commitCreate(_ record: Bool) async throws {
                names += 1
                let context = Contexts.http(actor: "bench-client", client: 1, request: names)
                let start = nanos()
                _ = try await ledger.createExperiment(name: "latency-\(names)", in: "default", context: context)
                if record { create.append(Double(nanos() - start)) }
            }
            func commitMetric(_ record: Bool) async throws {
                step += 1
                let context = Contexts.http(actor: "bench-client", client: 2, request: Int(step))
                let start = nanos()
                try await ledger.logMetric(runID: runID, Metric(key: "loss", value: 1 / Double(step), timestamp: 1_767_225_600_000 + step, step: step),
                                           in: "default", context: context)
                if record { metric.append(Double(nanos() - start)) }
            }
            func commitBare(_ record: Bool) throws {
                keys += 1
                let ns = try bare.timedSingleCommit(keys)
                if record { reference.append(ns) }
            }
            // Warm up, then interleave blocks of 20 so that drift of the disk hits all three alike.
            for _ in 0..<30 { try await commitCreate(false); try await commitMetric(false); try commitBare(false) }
            var stopped = false
            for _ in 0..<15 {
                for _ in 0..<20 { try await commitCreate(true) }
                for _ in 0..<20 { try await commitMetric(true) }
                for _ in 0..<20 { try commitBare(true) }
                if nanos() > budget { stopped = true; break }
            }
            return (Stats(create), Stats(metric), Stats(reference), stopped)
        }
    }

    func singleCommit() async throws {
        let (create, metric, reference, stopped) = try await singlePhase("single", durable: true)
        if stopped { report.note("1: the single-commit measurement hit its 120 s limit after \(create.count) commits of each kind") }
        let referenceLabel = "bare put(200 B)+commit"
        report.add(Row(section: "1", key: "commit.create_experiment.median", label: "durable createExperiment, median",
                       value: create.median / 1000, unit: .microseconds, reference: reference.median / 1000, referenceLabel: referenceLabel,
                       target: .ratioAtMost(1.5), samples: create.count))
        report.add(Row(section: "1", key: "commit.create_experiment.p99", label: "durable createExperiment, p99",
                       value: create.p99 / 1000, unit: .microseconds, reference: reference.p99 / 1000, referenceLabel: referenceLabel, samples: create.count))
        report.add(Row(section: "1", key: "commit.log_metric.median", label: "durable logMetric, median",
                       value: metric.median / 1000, unit: .microseconds, reference: reference.median / 1000, referenceLabel: referenceLabel,
                       target: .ratioAtMost(1.5), samples: metric.count))
        report.add(Row(section: "1", key: "commit.log_metric.p99", label: "durable logMetric, p99",
                       value: metric.p99 / 1000, unit: .microseconds, reference: reference.p99 / 1000, referenceLabel: referenceLabel, samples: metric.count))
        // Without fsync: what the command path itself costs (thread hand-offs, decide, encode,
        // hash, projections), beside LMDB's own cost of a commit.
        let scratch = try await singlePhase("single-nosync", durable: false)
        report.add(Row(section: "1", key: "commit.create_experiment.nosync.median", label: "createExperiment, no fsync, median",
                       value: scratch.create.median / 1000, unit: .microseconds, reference: scratch.reference.median / 1000,
                       referenceLabel: "bare put+commit, no fsync", samples: scratch.create.count))
        report.add(Row(section: "1", key: "commit.log_metric.nosync.median", label: "logMetric, no fsync, median",
                       value: scratch.metric.median / 1000, unit: .microseconds, reference: scratch.reference.median / 1000,
                       referenceLabel: "bare put+commit, no fsync", samples: scratch.metric.count))
    }

    // MARK: - 2. Group commit

    /// Events/s of 64 concurrent writers: logMetric, then (createExperiment, logParam) pairs.
    func groupPhase(_ name: String, durable: Bool, tasks: Int = 64, metricsOnly: Bool = false) async throws
        -> (metrics: (events: Int, seconds: Double, perCommit: Double?), mixed: (events: Int, seconds: Double)) {
        let perTaskMetrics = 96_000 / tasks
        let perTaskPairs = 400
        let limit: UInt64 = 40_000_000_000
        let directory = path(name)
        let what = durable ? "2" : "2 (no fsync)"
        let result = try await Self.withLedger(directory, durable: durable) { ledger in
            let setup = Contexts.http(actor: "bench-client", client: 0, request: 0)
            let experiment = try await ledger.createExperiment(name: "group-commit", in: "default", context: setup)
            let runIDs = try await Workload.concurrently(tasks) { t in
                try await ledger.createRun(experimentID: experiment.id, runName: "writer-\(t)", in: "default",
                                           context: Contexts.http(actor: "bench-client", client: t, request: 0)).info.runID
            }
            @Sendable func logMetrics(_ t: Int, count: Int, deadline: UInt64) async throws -> Int {
                var done = 0
                for i in 0..<count {
                    if nanos() > deadline { break }
                    try await ledger.logMetric(runID: runIDs[t], Metric(key: "loss", value: Double(i), timestamp: 1_767_225_600_000 + Int64(i), step: Int64(i)),
                                               in: "default", context: Contexts.http(actor: "bench-client", client: t, request: i + 1))
                    done += 1
                }
                return done
            }
            // Warm-up.
            _ = try await Workload.concurrently(tasks) { t in try await logMetrics(t, count: 30, deadline: .max) }

            let io = IOWatch(directory)
            let metricsStart = nanos()
            let metricsDeadline = metricsStart + limit
            let metricCounts = try await Workload.concurrently(tasks) { t in try await logMetrics(t, count: perTaskMetrics, deadline: metricsDeadline) }
            let metricEvents = metricCounts.reduce(0, +)
            let metricSeconds = seconds(since: metricsStart)
            let perCommit = io.finish(events: metricEvents, report, "\(what): \(tasks) × logMetric")
            let metrics = (events: metricEvents, seconds: metricSeconds, perCommit: perCommit)
            if metricsOnly { return (metrics: metrics, mixed: (events: 0, seconds: 0.0)) }

            let io2 = IOWatch(directory)
            let mixedStart = nanos()
            let mixedDeadline = mixedStart + limit
            let mixedCounts = try await Workload.concurrently(tasks) { t in
                var done = 0
                for i in 0..<perTaskPairs {
                    if nanos() > mixedDeadline { break }
                    let context = Contexts.http(actor: "bench-client", client: t, request: 10_000 + i)
                    _ = try await ledger.createExperiment(name: "group-\(t)-\(i)", in: "default", context: context)
                    try await ledger.logParam(runID: runIDs[t], key: "param_\(i)", value: String(i), in: "default", context: context)
                    done += 2
                }
                return done
            }
            let mixed = (events: mixedCounts.reduce(0, +), seconds: seconds(since: mixedStart))
            io2.finish(events: mixed.events, report, "\(what): 64 × (createExperiment, logParam)")
            return (metrics: metrics, mixed: mixed)
        }
        if result.metrics.events < tasks * perTaskMetrics || (!metricsOnly && result.mixed.events < tasks * perTaskPairs * 2) {
            report.note("\(what): group commit stopped at its \(limit / 1_000_000_000) s limit (\(result.metrics.events) metric events, \(result.mixed.events) mixed events)")
        }
        return result
    }

    /// Events/s of `.append` puts of 200-byte values, 1,000 per transaction.
    func bareAppendRate(_ name: String, durable: Bool) throws -> Double {
        let bare = try BareLMDB.open(path(name), durable: durable)
        _ = try bare.batchedAppends(from: 1, batches: 5, perBatch: 1_000, deadline: .max)
        let appended = try bare.batchedAppends(from: 10_001, batches: 100, perBatch: 1_000, deadline: nanos() + 30_000_000_000)
        return Double(appended.puts) / appended.seconds
    }

    /// Puts/s of durable commits of `perBatch` scattered 200-byte puts each (``BareLMDB/scatteredBatches``).
    func bareScatteredRate(_ name: String, perBatch: Int) throws -> Double {
        let bare = try BareLMDB.open(path(name), durable: true)
        let keys = 100_000
        try bare.fill(keys)
        _ = try bare.scatteredBatches(keys: keys, perBatch: perBatch, commits: 30, deadline: .max)
        let measured = try bare.scatteredBatches(keys: keys, perBatch: perBatch, commits: 1_500, deadline: nanos() + 20_000_000_000)
        return Double(measured.puts) / measured.seconds
    }

    func groupCommit() async throws {
        let durable = try await groupPhase("group", durable: true)
        let bareRate = try bareAppendRate("bare-group", durable: true)
        let referenceLabel = "bare 1,000 appends/txn"
        // The disk's own bound for commits of this size: bare LMDB committing as many scattered
        // puts per durable commit as the ledger's commits held events.
        let batch = max(1, Int((durable.metrics.perCommit ?? 32).rounded()))
        let scatteredRate = try bareScatteredRate("bare-scattered", perBatch: batch)
        report.add(Row(section: "2", key: "group.log_metric.scattered_reference", label: "64 tasks × logMetric, durable, vs the disk",
                       value: Double(durable.metrics.events) / durable.metrics.seconds, unit: .perSecond, reference: scatteredRate,
                       referenceLabel: "bare \(batch) scattered puts/durable txn", samples: durable.metrics.events))
        report.add(Row(section: "2", key: "group.log_metric", label: "64 tasks × logMetric, durable",
                       value: Double(durable.metrics.events) / durable.metrics.seconds, unit: .perSecond, reference: bareRate, referenceLabel: referenceLabel,
                       target: .atLeast(100_000), samples: durable.metrics.events))
        report.add(Row(section: "2", key: "group.create_experiment_log_param", label: "64 tasks × (createExperiment, logParam), durable",
                       value: Double(durable.mixed.events) / durable.mixed.seconds, unit: .perSecond, reference: bareRate, referenceLabel: referenceLabel,
                       target: .atLeast(100_000), samples: durable.mixed.events))
        // More writers make bigger batches: the same with 256 tasks (context, no target).
        let wide = try await groupPhase("group-256", durable: true, tasks: 256, metricsOnly: true)
        report.add(Row(section: "2", key: "group.log_metric.256", label: "256 tasks × logMetric, durable",
                       value: Double(wide.metrics.events) / wide.metrics.seconds, unit: .perSecond, reference: bareRate, referenceLabel: referenceLabel,
                       samples: wide.metrics.events))
        // The same without fsync: the CPU ceiling of the write path on this machine.
        let scratch = try await groupPhase("group-nosync", durable: false)
        let bareScratch = try bareAppendRate("bare-group-nosync", durable: false)
        report.add(Row(section: "2", key: "group.log_metric.nosync", label: "64 tasks × logMetric, no fsync (CPU ceiling)",
                       value: Double(scratch.metrics.events) / scratch.metrics.seconds, unit: .perSecond, reference: bareScratch,
                       referenceLabel: referenceLabel + ", no fsync", samples: scratch.metrics.events))
        report.add(Row(section: "2", key: "group.create_experiment_log_param.nosync", label: "64 tasks × (createExperiment, logParam), no fsync",
                       value: Double(scratch.mixed.events) / scratch.mixed.seconds, unit: .perSecond, reference: bareScratch,
                       referenceLabel: referenceLabel + ", no fsync", samples: scratch.mixed.events))
    }

    /// LMDB's own bytes per 200-byte record: pages / entries of 100,000 appended 200-byte values.
    func bareBytesPerRecord() throws -> Double {
        let bare = try BareLMDB.open(path("bare-size"), durable: false)
        _ = try bare.batchedAppends(from: 1, batches: 100, perBatch: 1_000, deadline: .max)
        return try bare.environment.read { txn in
            let stats = try txn.statistics(bare.database)
            return Double((stats.branchPages + stats.leafPages + stats.overflowPages) * stats.pageSize) / Double(stats.entries)
        }
    }

    /// Commits during a phase (LMDB's transaction id, read from the meta pages), as a note.
    /// (Bytes written are not reported: /proc/self/io counts whole large folios, not pages.)
    /// Also the block device's completed writes over the phase (the whole device, so other
    /// processes count too): on a virtual disk each costs about as much as a flush, which is what
    /// bounds durable commits here.
    struct IOWatch {
        let directory: String
        let transactions: UInt64?
        let deviceWrites: Int?
        let start = nanos()
        init(_ directory: String) {
            self.directory = directory
            transactions = Diagnostics.lastTransactionID(directory)
            deviceWrites = Diagnostics.deviceWrites(holding: directory)
        }
        /// Notes the phase's commits and disk writes; returns the events per commit (nil when the
        /// meta pages could not be read).
        @discardableResult
        func finish(events: Int, _ report: Report, _ what: String) -> Double? {
            let elapsed = seconds(since: start)
            guard let before = transactions, let after = Diagnostics.lastTransactionID(directory), after > before else { return nil }
            let commits = Double(after - before)
            var text = "\(what): \(formatCount(Double(events))) events in \(formatCount(commits)) commits, \(String(format: "%.1f", Double(events) / commits)) events and \(formatMicros(elapsed * 1e6 / commits)) per commit"
            if let first = deviceWrites, let last = Diagnostics.deviceWrites(holding: directory), last > first {
                let writes = Double(last - first)
                text += String(format: "; the disk completed %.1f writes per commit (%.2f per event)", writes / commits, writes / Double(events))
            }
            report.note(text)
            return Double(events) / commits
        }
    }

    // MARK: - 3, 4, 6, 7: the large ledger

    func largeLedger() async throws {
        let directory: String
        let sample: LedgerSample
        if let existing = options.ledgerDirectory {
            directory = existing
            progress("3: measuring the ledger at \(existing)")
            sample = try await Self.withLedger(directory, durable: true, create: false) { ledger in try LedgerSample(of: ledger) }
            report.note("3: ledger \(existing): \(formatCount(Double(sample.events))) events; rebuild and verify run on it in place (a rebuild writes the same views again)")
        } else {
            directory = path("replay")
            progress("3: generating a synthetic ledger of \(formatCount(Double(options.replayEvents))) events (256 concurrent clients)")
            let summary = try await Self.withLedger(directory, durable: false) { ledger in
                var history = SyntheticHistory(events: options.replayEvents)
                history.clients = 256
                return try await history.generate(into: ledger, progress: SyntheticHistory.printProgress)
            }
            sample = LedgerSample(summary)
            report.add(Row(section: "3", key: "generate.synthetic", label: "ledger bench --generate: 256 clients, flushed at the end",
                           value: summary.eventsPerSecond, unit: .perSecond, samples: Int(summary.appended)))
            report.note("3: replay ledger: \(formatCount(Double(summary.appended))) events (\(formatCount(Double(summary.commands))) commands) written in \(String(format: "%.1f", summary.seconds)) s through the normal write path, then flushed")
        }
        let events = Int(sample.events)

        // The decode window (7): events from the middle of the log.
        let windowCount = min(50_000, max(1, events / 4))
        let windowStart = UInt64(max(1, events / 2 - windowCount / 2))

        // Bare references on the same bytes, with the ledger closed (sizes before any rebuild).
        let dataFile = directory + "/data.mdb"
        let fileBytes = fileSize(dataFile)
        let (usage, scanRate, hashRate, windowBytes) = try {
            let log = try BareLog.open(directory)
            let usage = try log.usage()
            _ = try log.scan()
            var scans: [Double] = []
            var entries = 0
            for _ in 0..<3 {
                let start = nanos()
                entries = try log.scan().entries
                scans.append(Double(entries) / seconds(since: start))
            }
            _ = try log.scanAndHash()
            var hashes: [Double] = []
            for _ in 0..<3 {
                let start = nanos()
                let (n, mismatches) = try log.scanAndHash()
                if mismatches != 0 { report.note("3: the bare chain check found \(mismatches) hash mismatches") }
                hashes.append(Double(n) / seconds(since: start))
            }
            let window = try log.valueBytes(from: windowStart, count: windowCount)
            return (usage, Stats(scans).median, Stats(hashes).median, window)
        }()

        // The ledger, reopened durable as a server would.
        struct LedgerFigures {
            var rebuildRates: [Double] = []
            var chainRates: [Double] = []
            var verifyRate = 0.0
            var verifyClean = true
            var verifyProblem: String?
            var workspaceRead: Stats?
            var permissionRead: Stats?
            var decodeMicros = 0.0
            var window: [RecordedEvent] = []
        }
        let figures = try await Self.withLedger(directory, durable: true) { ledger in
            var figures = LedgerFigures()
            // Rebuild: the first run warms up; then one (or two for small logs) measured runs.
            let rebuildRuns = events <= 300_000 ? 3 : 2
            for run in 0..<rebuildRuns {
                progress("3: rebuildProjections \(run + 1)/\(rebuildRuns)")
                let start = nanos()
                let summary = try ledger.rebuildProjections()
                let rate = Double(summary.events) / seconds(since: start)
                if run > 0 { figures.rebuildRates.append(rate) }
            }
            for run in 0..<4 {
                let start = nanos()
                let chain = try ledger.verifyChain()
                let rate = Double(chain.eventsChecked) / seconds(since: start)
                if !chain.isClean { figures.verifyClean = false; figures.verifyProblem = chain.firstProblem?.description }
                if run > 0 { figures.chainRates.append(rate) }
            }
            progress("3: verify (chain + rebuild into scratch + compare)")
            let start = nanos()
            let verification = try ledger.verify()
            figures.verifyRate = Double(verification.eventsChecked) / seconds(since: start)
            if !verification.isClean { figures.verifyClean = false; figures.verifyProblem = verification.firstProblem?.description }

            // 4: reads in process.
            let names = (0..<1024).map { i in i % 17 == 16 ? "default" : sample.workspaces[i % sample.workspaces.count] }
            let experiments = sample.experiments.isEmpty ? [(Int64(0), "default")] : sample.experiments
            let targets = (0..<1024).map { i in experiments[(i &* 7919) % experiments.count] }
                .map { PermissionTarget.experiment(id: $0.0, workspace: $0.1) }
            var level = PermissionLevel.noPermissions
            for i in 0..<10_000 { _ = try ledger.workspace(named: names[i & 1023]); level = try ledger.effectivePermission(of: sample.reader, on: targets[i & 1023]) }
            if level != .read { report.note("4: the permission check answered \(level.rawValue), expected READ through \(sample.reader)'s workspace grant") }
            var samples = [Double](repeating: 0, count: 100_000)
            for i in 0..<samples.count {
                let name = names[i & 1023]
                let begin = nanos()
                _ = try ledger.workspace(named: name)
                samples[i] = Double(nanos() - begin)
            }
            figures.workspaceRead = Stats(samples)
            for i in 0..<samples.count {
                let target = targets[i & 1023]
                let begin = nanos()
                _ = try ledger.effectivePermission(of: sample.reader, on: target)
                samples[i] = Double(nanos() - begin)
            }
            figures.permissionRead = Stats(samples)

            // 7: decode through the public API (read transaction + cursor + decode + copy).
            func readWindow() throws -> (events: [RecordedEvent], ns: Double) {
                var out: [RecordedEvent] = []
                out.reserveCapacity(windowCount)
                let begin = nanos()
                var next = windowStart
                while out.count < windowCount {
                    let chunk = try ledger.events(from: next, limit: min(1_000, windowCount - out.count))
                    if chunk.isEmpty { break }
                    out += chunk
                    next = chunk.last!.sequence + 1
                }
                return (out, Double(nanos() - begin))
            }
            _ = try readWindow()
            var passes: [Double] = []
            for _ in 0..<3 {
                let (window, ns) = try readWindow()
                passes.append(ns / Double(window.count))
                figures.window = window
            }
            figures.decodeMicros = Stats(passes).median / 1000
            return figures
        }
        let afterRebuildBytes = fileSize(dataFile)

        // 3: replay.
        report.add(Row(section: "3", key: "replay.rebuild", label: "rebuildProjections (\(formatCount(Double(events))) events)",
                       value: Stats(figures.rebuildRates).median, unit: .perSecond, reference: scanRate, referenceLabel: "bare cursor scan of events",
                       target: .atLeast(500_000), samples: events))
        report.add(Row(section: "3", key: "replay.verify_chain", label: "verifyChain (hash chain only)",
                       value: Stats(figures.chainRates).median, unit: .perSecond, reference: hashRate, referenceLabel: "bare scan + SHA-256 chain",
                       target: .atLeast(2_000_000), samples: events))
        report.add(Row(section: "3", key: "replay.verify_full", label: "verify (chain + rebuild + compare views)",
                       value: figures.verifyRate, unit: .perSecond, reference: hashRate, referenceLabel: "bare scan + SHA-256 chain", samples: events))
        if figures.verifyClean {
            report.note("3: verify reported the ledger clean")
        } else {
            report.note("3: VERIFY FOUND A PROBLEM: \(figures.verifyProblem ?? "?")")
        }

        // 4: reads.
        let bareRead = try bareReadReference()
        if let read = figures.workspaceRead {
            report.add(Row(section: "4", key: "reads.workspace.median", label: "workspace(named:), median",
                           value: read.median / 1000, unit: .microseconds, reference: bareRead.median / 1000, referenceLabel: "bare read txn + get",
                           target: .atMost(2), samples: read.count))
            report.add(Row(section: "4", key: "reads.workspace.p99", label: "workspace(named:), p99",
                           value: read.p99 / 1000, unit: .microseconds, reference: bareRead.p99 / 1000, referenceLabel: "bare read txn + get", samples: read.count))
        }
        if let read = figures.permissionRead {
            report.add(Row(section: "4", key: "reads.effective_permission.median", label: "effectivePermission (workspace fallback), median",
                           value: read.median / 1000, unit: .microseconds, reference: bareRead.median / 1000, referenceLabel: "bare read txn + get",
                           target: .atMost(2), samples: read.count))
            report.add(Row(section: "4", key: "reads.effective_permission.p99", label: "effectivePermission (workspace fallback), p99",
                           value: read.p99 / 1000, unit: .microseconds, reference: bareRead.p99 / 1000, referenceLabel: "bare read txn + get", samples: read.count))
        }

        // 6: bytes per event, as written by normal operation (before the rebuilds).
        let bareBytes = try bareBytesPerRecord()
        let bareLabel = "LMDB per 200 B value"
        report.add(Row(section: "6", key: "disk.data_mdb_per_event", label: "data.mdb size / events (log + all views)",
                       value: Double(fileBytes) / Double(events), unit: .bytes, reference: bareBytes, referenceLabel: bareLabel,
                       target: .atMost(400), samples: events))
        report.add(Row(section: "6", key: "disk.used_pages_per_event", label: "used pages / events (log + all views)",
                       value: Double(usage.usedBytes) / Double(events), unit: .bytes, reference: bareBytes, referenceLabel: bareLabel, samples: events))
        report.add(Row(section: "6", key: "disk.log_pages_per_event", label: "events database pages / events (log only)",
                       value: Double(usage.eventsBytes) / Double(usage.entries), unit: .bytes, reference: bareBytes, referenceLabel: bareLabel, samples: usage.entries))
        report.note("6: data.mdb is \(formatCount(Double(fileBytes))) bytes after generation and \(formatCount(Double(afterRebuildBytes))) bytes after \(figures.rebuildRates.count + 1) rebuilds and a verify (a rebuild rewrites every view in one transaction, so the old views' pages stay allocated until it commits)")

        // 7: decode cost, mixed events of the log.
        let mixJSON = try JSONCodec.measure(figures.window)
        report.add(Row(section: "7", key: "codec.mix.decode", label: "decode, log mix: events(from:limit:) per event",
                       value: figures.decodeMicros, unit: .microseconds, reference: mixJSON.decodeMicros, referenceLabel: "JSONDecoder (Codable)", samples: figures.window.count))
        report.add(Row(section: "7", key: "codec.mix.bytes", label: "stored bytes, log mix (incl. 32 B hash)",
                       value: Double(windowBytes.bytes) / Double(max(1, windowBytes.count)), unit: .bytes, reference: mixJSON.averageBytes, referenceLabel: "JSON (hash as hex)", samples: windowBytes.count))
    }

    /// A read transaction and one get of a 200-byte value, in a bare environment of 100,000 keys.
    func bareReadReference() throws -> Stats {
        let bare = try BareLMDB.open(path("bare-read"))
        let keyCount = 100_000
        try bare.fill(keyCount)
        let keys = (0..<1024).map { i in BareLMDB.key(UInt64((i &* 7919) % keyCount + 1)) }
        var sink = 0
        for i in 0..<10_000 { sink &+= try bare.readOne(keys[i & 1023]) }
        var samples = [Double](repeating: 0, count: 100_000)
        for i in 0..<samples.count {
            let key = keys[i & 1023]
            let begin = nanos()
            sink &+= try bare.readOne(key)
            samples[i] = Double(nanos() - begin)
        }
        if sink == 0 { progress("bare reads found nothing") }
        return Stats(samples)
    }

    // MARK: - 5. Listing page cost

    func listing() async throws {
        let small = 100
        let large = options.listingWorkspaces
        /// Fills a ledger with `count` workspaces and returns the page token of the page measured:
        /// the middle one, or the first (only full) page of a small listing.
        func fill(_ ledger: Ledger, _ count: Int) async throws -> (token: String?, position: String) {
            progress("5: creating \(formatCount(Double(count))) workspaces")
            _ = try await Workload.concurrently(256) { t in
                var i = t
                while i < count {
                    _ = try await ledger.createWorkspace(name: String(format: "ws-%07d", i), description: "workspace \(i)",
                                                         context: Contexts.http(actor: "admin", client: t, request: i))
                    i += 256
                }
                return 0
            }
            let total = count + 1
            guard total >= 300 else { return (nil, "first page") }
            var token: String?
            var skipped = 0
            while skipped < total / 2 - 50 {
                let page = try ledger.listWorkspaces(maxResults: 100, pageToken: token)
                skipped += page.items.count
                token = page.nextPageToken
            }
            return (token, "page after \(formatCount(Double(skipped)))")
        }
        let (few, many, fewItems, manyItems, position) = try await Self.withLedger(path("listing-small"), durable: false) { smallLedger in
            try await Self.withLedger(path("listing-large"), durable: false) { largeLedger in
                let (smallToken, _) = try await fill(smallLedger, small)
                let (largeToken, position) = try await fill(largeLedger, large)
                var few: [Double] = []
                var many: [Double] = []
                var fewItems = 0
                var manyItems = 0
                for _ in 0..<300 {
                    fewItems = try smallLedger.listWorkspaces(maxResults: 100, pageToken: smallToken).items.count
                    manyItems = try largeLedger.listWorkspaces(maxResults: 100, pageToken: largeToken).items.count
                }
                // Alternate blocks, so that both see the same machine.
                for _ in 0..<30 {
                    for _ in 0..<100 {
                        let begin = nanos()
                        fewItems = try smallLedger.listWorkspaces(maxResults: 100, pageToken: smallToken).items.count
                        few.append(Double(nanos() - begin))
                    }
                    for _ in 0..<100 {
                        let begin = nanos()
                        manyItems = try largeLedger.listWorkspaces(maxResults: 100, pageToken: largeToken).items.count
                        many.append(Double(nanos() - begin))
                    }
                }
                return (Stats(few), Stats(many), fewItems, manyItems, position)
            }
        }
        report.add(Row(section: "5", key: "listing.page100", label: "listWorkspaces(100): \(formatCount(Double(large))) workspaces, \(position), median",
                       value: many.median / 1000, unit: .microseconds, reference: few.median / 1000,
                       referenceLabel: "same call, \(small) workspaces", target: .ratioAtMost(1.5), samples: many.count))
        report.add(Row(section: "5", key: "listing.page100.p99", label: "listWorkspaces(100): \(formatCount(Double(large))) workspaces, p99",
                       value: many.p99 / 1000, unit: .microseconds, reference: few.p99 / 1000,
                       referenceLabel: "same call, \(small) workspaces", samples: many.count))
        if fewItems != 100 || manyItems != 100 {
            report.note("5: pages held \(fewItems) and \(manyItems) workspaces (expected 100 each)")
        }
        report.note("5: the reference is the same call on a ledger of \(small) workspaces (plus 'default'; its first and only full page of 100), measured in alternating blocks with the large one; both ledgers were built without fsync (reads are unaffected)")
    }

    // MARK: - 7. Typical event decode

    /// A ledger of run-creation events (≈ 12 strings each: envelope and payload), decoded
    /// through `events(from:limit:)`, against `JSONDecoder` on the same events.
    func typicalDecode() async throws {
        let directory = path("typical")
        let perTask = 320
        let (first, decodeMicros, window) = try await Self.withLedger(directory, durable: false) { ledger in
            let setup = Contexts.http(actor: "alice", client: 0, request: 0)
            _ = try await ledger.createWorkspace(name: "vision-team", description: "Computer vision", context: setup)
            let experiment = try await ledger.createExperiment(name: "resnet-tuning", in: "vision-team", context: setup)
            let first = try ledger.head().sequence + 1
            _ = try await Workload.concurrently(64) { t in
                for i in 0..<perTask {
                    _ = try await ledger.createRun(
                        experimentID: experiment.id, runName: "run-\(t)-\(i)", userID: "alice",
                        tags: [Tag(key: "mlflow.source.name", value: "train.py"), Tag(key: "mlflow.user", value: "alice")],
                        in: "vision-team", context: Contexts.http(actor: "alice", client: t, request: i + 1))
                }
                return 0
            }
            let count = 64 * perTask
            func pass() throws -> ([RecordedEvent], Double) {
                var out: [RecordedEvent] = []
                out.reserveCapacity(count)
                let begin = nanos()
                var next = first
                while out.count < count {
                    let chunk = try ledger.events(from: next, limit: 1_000)
                    if chunk.isEmpty { break }
                    out += chunk
                    next = chunk.last!.sequence + 1
                }
                return (out, Double(nanos() - begin) / Double(out.count))
            }
            _ = try pass()
            var passes: [Double] = []
            var window: [RecordedEvent] = []
            for _ in 0..<5 {
                let (events, ns) = try pass()
                passes.append(ns)
                window = events
            }
            return (first, Stats(passes).median / 1000, window)
        }
        let stored = try BareLog.open(directory).valueBytes(from: first, count: window.count)
        let json = try JSONCodec.measure(window)
        report.add(Row(section: "7", key: "codec.typical.decode", label: "decode, runCreated (≈12 strings): events(from:limit:)",
                       value: decodeMicros, unit: .microseconds, reference: json.decodeMicros, referenceLabel: "JSONDecoder (Codable)", samples: window.count))
        report.add(Row(section: "7", key: "codec.typical.bytes", label: "stored bytes, runCreated (incl. 32 B hash)",
                       value: Double(stored.bytes) / Double(max(1, stored.count)), unit: .bytes, reference: json.averageBytes, referenceLabel: "JSON (hash as hex)", samples: stored.count))
        report.note("7: the binary figure is the public events(from:limit:) path: read transaction, cursor, EventCodec decode and copy into RecordedEvent, per event in pages of 1,000 (an upper bound on the decode alone); JSON is Codable JSONDecoder per event on an equivalent struct (\(json.example))")
    }
}
