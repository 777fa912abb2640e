#include "core/Error.h"
#include "core/jobs/JobContext.h"

#include <QTest>

#include <tuple>
#include <vector>

using namespace ds;

class TestJobContext : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void spansMapProgressIntoParentRange()
    {
        JobContext job;
        std::vector<double> seen;
        job.setProgressCallback([&](double fraction, const std::string&) { seen.push_back(fraction); });
        job.report(0.5, "whole");
        {
            JobContext::Span outer(job, 0.5, 1.0);
            job.report(0.0, "outer");
            JobContext::Span inner(job, 0.5, 1.0);
            job.report(0.5, "inner");
        }
        job.report(2.0, "clamped");
        QCOMPARE(seen, (std::vector<double> {0.5, 0.5, 0.875, 1.0}));
    }

    void cancelThrowsAtNextCheck()
    {
        JobContext job;
        job.throwIfCancelled();
        job.cancel();
        QVERIFY(job.isCancelled());
        QVERIFY_THROWS_EXCEPTION(Cancelled, job.throwIfCancelled());
    }

    void logReachesCallback()
    {
        JobContext job;
        job.log("before any callback is fine");
        std::string line;
        job.setLogCallback([&](const std::string& text) { line = text; });
        job.log("skipped a.png");
        QCOMPARE(line, std::string("skipped a.png"));
    }

    void curvePointsReachCallback()
    {
        JobContext job;
        job.addCurvePoint("loss", 0, 1.0); // before any callback is fine
        std::vector<std::tuple<std::string, double, double>> points;
        job.setCurveCallback([&](const std::string& curve, double x, double y) { points.emplace_back(curve, x, y); });
        job.addCurvePoint("loss", 1, 0.5);
        job.addCurvePoint("loss", 2, 0.25);
        QCOMPARE(points.size(), size_t(2));
        QCOMPARE(std::get<0>(points[1]), std::string("loss"));
        QCOMPARE(std::get<1>(points[1]), 2.0);
        QCOMPARE(std::get<2>(points[1]), 0.25);
    }
};

QTEST_GUILESS_MAIN(TestJobContext)
#include "test_job_context.moc"
