//! Engine tests on a real SQLCipher store.
