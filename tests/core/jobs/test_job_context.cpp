#include "core/Error.h"
#include "core/jobs/JobContext.h"

#include <QTest>

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
        QCOMPARE(seen, (std::vector<double>{0.5, 0.5, 0.875, 1.0}));
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
};

QTEST_GUILESS_MAIN(TestJobContext)
#include "test_job_context.moc"
