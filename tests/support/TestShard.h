#pragma once
// The share of a data-driven suite one process runs, so ctest can run a long suite as
// several processes side by side: DEFECTSCOPE_TEST_SHARD="i/n" takes every n-th data row
// from the i-th (0-based); unset, a process takes every row.
#include <QByteArray>
#include <QtGlobal>

namespace ds::test {

class TestShard {
public:
    static TestShard fromEnvironment()
    {
        TestShard shard;
        const QByteArray spec = qgetenv("DEFECTSCOPE_TEST_SHARD");
        const QList<QByteArray> parts = spec.split('/');
        if (parts.size() == 2 && parts[1].toInt() > 0) {
            shard.count_ = parts[1].toInt();
            shard.index_ = qBound(0, parts[0].toInt(), shard.count_ - 1);
        }
        return shard;
    }

    // Whether the row-th row (0-based) of a data table belongs to this shard.
    bool takes(int row) const { return row % count_ == index_; }
    // The shard that also runs the tests without data rows.
    bool isFirst() const { return index_ == 0; }

private:
    int index_ = 0;
    int count_ = 1;
};

} // namespace ds::test
