#include "core/Error.h"
#include "core/review/ReviewQueue.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace ds;
using Ids = std::vector<std::int64_t>;

class TestReviewQueue : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void highestScoreFirstWithTiesByImageId()
    {
        // 11 scores highest; 10 and 12 tie at 0.5, so the lower id comes first.
        QCOMPARE(reviewOrder({12, 11, 10, 13}, {0.5, 2.0, 0.5, 1.0}, 1.2, ReviewOrder::HighestScoreFirst),
                 (Ids {11, 13, 10, 12}));
    }

    void nearestThresholdFirstWithTiesByImageId()
    {
        // Distances to 1.0: 0.5, 0.5, 0.1 (0.9), 1.0, 0 — 1 and 2 tie on either side.
        QCOMPARE(reviewOrder({2, 1, 3, 4, 5}, {1.5, 0.5, 0.9, 2.0, 1.0}, 1.0, ReviewOrder::NearestThresholdFirst),
                 (Ids {5, 3, 1, 2, 4}));
    }

    void unscorableGoesLast()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(reviewOrder({1, 2, 3}, {nan, 0.2, 0.1}, 0.0, ReviewOrder::HighestScoreFirst), (Ids {2, 3, 1}));
        QCOMPARE(reviewOrder({1, 2, 3}, {nan, 0.2, 0.1}, 0.0, ReviewOrder::NearestThresholdFirst), (Ids {3, 2, 1}));
    }

    void emptyAndMismatchedInput()
    {
        QVERIFY(reviewOrder({}, {}, 1.0, ReviewOrder::HighestScoreFirst).empty());
        QVERIFY_THROWS_EXCEPTION(Error, reviewOrder({1, 2}, {0.5}, 1.0, ReviewOrder::NearestThresholdFirst));
    }
};

QTEST_GUILESS_MAIN(TestReviewQueue)
#include "test_review_queue.moc"
