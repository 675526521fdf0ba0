import LedgerLMDB
import Testing

@Suite struct LMDBErrorTests {
    @Test func keyExistsDescriptionNamesFunctionAndLMDBMessage() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            let error = try #require(#expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(db, key: "k", value: bytes("w"), options: .noOverwrite) }
            })
            #expect(error.code == .keyExists)
            #expect(error.function == "mdb_put")
            #expect(error.message.hasPrefix("MDB_KEYEXIST"))
            #expect(error.description.hasPrefix("mdb_put failed: MDB_KEYEXIST"))
            #expect(error.description == "mdb_put failed: \(error.message)")
            #expect(String(describing: error) == error.description)
        }
    }

    @Test func notFoundDescriptionNamesTheDatabase() throws {
        try withTemporaryEnvironment { env, _ in
            let error = try #require(#expect(throws: LMDBError.self) {
                _ = try env.openDatabase("ghost", create: false)
            })
            #expect(error.code == .notFound)
            #expect(error.description.contains("mdb_dbi_open"))
            #expect(error.description.contains("ghost"))
            #expect(error.description.contains("MDB_NOTFOUND"))
        }
    }

    @Test func messagesOfLMDBAndErrnoCodes() {
        #expect(LMDBError(code: .mapFull, function: "mdb_put").description
            .hasPrefix("mdb_put failed: MDB_MAP_FULL"))
        #expect(LMDBError(code: .notFound, function: "mdb_get").message.hasPrefix("MDB_NOTFOUND"))
        // errno codes get the C library's text.
        #expect(LMDBError(code: .noSuchFile, function: "mdb_env_open").description
            == "mdb_env_open failed: No such file or directory")
        #expect(LMDBError(code: .noSpace, function: "mdb_txn_commit").message == "No space left on device")
    }

    @Test func outOfSpaceClassification() {
        #expect(LMDBError(code: .noSpace, function: "f").isOutOfSpace)
        #expect(LMDBError(code: .quotaExceeded, function: "f").isOutOfSpace)
        #expect(!LMDBError(code: .mapFull, function: "f").isOutOfSpace)
        #expect(!LMDBError(code: .ioError, function: "f").isOutOfSpace)
    }

    @Test func codesAreDistinctAndComparable() {
        let codes: [LMDBError.Code] = [
            .keyExists, .notFound, .corrupted, .panic, .versionMismatch, .invalid, .mapFull,
            .databasesFull, .readersFull, .transactionFull, .mapResized, .incompatible, .badValueSize,
            .noSpace, .quotaExceeded, .noSuchFile, .accessDenied, .readOnly, .ioError,
        ]
        #expect(Set(codes).count == codes.count)
        #expect(LMDBError.Code.keyExists.rawValue == -30799)
        #expect(LMDBError.Code.notFound.rawValue == -30798)
        #expect(LMDBError.Code.mapFull.rawValue == -30792)
        #expect(LMDBError(code: .keyExists, function: "a") != LMDBError(code: .keyExists, function: "b"))
        #expect(LMDBError(code: .keyExists, function: "a") == LMDBError(code: .keyExists, function: "a"))
    }
}
