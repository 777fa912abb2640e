// Inspecting single parts with a trained model of a project, without importing them.
#include "core/Error.h"
#include "core/jobs/Inspector.h"
#include "tests/support/ProcessLocks.h"
#include "core/jobs/ProjectJobs.h"
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/SmallDataset.h"

#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace ds;
namespace fs = std::filesystem;

namespace {

bool relativelyClose(double a, double b)
{
    return std::abs(a - b) <= 1e-3 * std::max({1.0, std::abs(a), std::abs(b)});
}

} // namespace

class TestInspector : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string dataset_;
    std::string project_;
    std::int64_t modelId_ = 0;
    double modelThreshold_ = 0.0;

    std::string tempPath(const char* name) const { return dir_.filePath(QString::fromLatin1(name)).toStdString(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const SyntheticSpec spec = test::smallPartSpec();
        dataset_ = writeSyntheticDataset(tempPath("data"), spec);
        project_ = tempPath("inspect.dsproj");
        JobContext job;
        importMvtecDataset(project_, dataset_, job);
        const TrainOutcome trained = trainModel(project_, test::smallSettings(), "", job);
        modelId_ = trained.modelId;
        modelThreshold_ = trained.threshold;
    }

    void scoresAsARunDoesAndRanksDefectsFirst()
    {
        Inspector inspector(project_, modelId_);
        QCOMPARE(inspector.modelId(), modelId_);
        QCOMPARE(inspector.threshold(), modelThreshold_);
        QVERIFY(inspector.loadSeconds() > 0);

        JobContext job;
        const InferOutcome run = inferImages(project_, modelId_, {}, job);
        const ProjectFile project = ProjectFile::open(project_);
        std::map<std::int64_t, double> runScores;
        for (const ResultRecord& result : project.results(run.runId, ProjectFile::Heatmaps::Skip))
            runScores[result.imageId] = result.score;

        double goodSum = 0, defectSum = 0, topScore = -1;
        int goodCount = 0, defectCount = 0;
        bool topIsDefective = false;
        for (const ImageRecord& image : project.images(Split::Test)) {
            const InspectionResult result = inspector.inspect(image.path);
            QVERIFY2(relativelyClose(result.score, runScores.at(image.id)), image.path.c_str());
            QCOMPARE(result.threshold, modelThreshold_);
            QCOMPARE(result.defect, result.score >= modelThreshold_);
            QVERIFY(result.milliseconds > 0);
            QCOMPARE(result.imageRgb.type(), CV_32FC3);
            QCOMPARE(result.anomalyMap.type(), CV_32F);
            QCOMPARE(result.anomalyMap.size(), result.imageRgb.size());
            const bool defective = image.label != kGoodLabel;
            (defective ? defectSum : goodSum) += result.score;
            ++(defective ? defectCount : goodCount);
            if (result.score > topScore) {
                topScore = result.score;
                topIsDefective = defective;
            }
        }
        QVERIFY(goodCount > 0 && defectCount > 0);
        QVERIFY(defectSum / defectCount > goodSum / goodCount);
        QVERIFY(topIsDefective);
    }

    void mapHasTheSizeOfAnImageOfAnySize()
    {
        const std::string source = (fs::path(dataset_) / "test" / "good" / "000.png").string();
        cv::Mat wide;
        cv::resize(cv::imread(source), wide, cv::Size(100, 70));
        const std::string path = tempPath("wide.png");
        QVERIFY(cv::imwrite(path, wide));

        Inspector inspector(project_, modelId_);
        const InspectionResult result = inspector.inspect(path);
        QCOMPARE(result.imageRgb.size(), cv::Size(100, 70));
        QCOMPARE(result.anomalyMap.size(), cv::Size(100, 70));
    }

    void unreadableImageThrowsInputErrorNamingThePath()
    {
        const std::string broken = tempPath("broken.png");
        std::ofstream(broken) << "not a png";
        Inspector inspector(project_, modelId_);
        for (const std::string& path : {broken, tempPath("missing.png")}) {
            try {
                inspector.inspect(path);
                QFAIL("an unreadable image was inspected");
            } catch (const InputError& e) {
                QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
            }
        }
        // The inspector stays usable after a bad file.
        const std::string good = (fs::path(dataset_) / "test" / "good" / "000.png").string();
        QVERIFY(inspector.inspect(good).milliseconds > 0);
    }

    // Inspecting the project's own file is refused without reading it: closing a descriptor
    // of it would drop the locks this process's connections hold on the project.
    void projectsOwnFileIsRefusedUnread()
    {
        Inspector inspector(project_, modelId_);
        const ProjectFile open = ProjectFile::open(project_);
        QCOMPARE(open.models().size(), std::size_t(1)); // a read: the connection now holds its lock
        const int locksBefore = ds::test::locksHeldOn(project_);
        QVERIFY(locksBefore > 0);
        std::string refusal;
        try {
            inspector.inspect(project_);
        } catch (const InputError& e) {
            refusal = e.what();
        }
        QCOMPARE(ds::test::locksHeldOn(project_), locksBefore);
        QVERIFY2(refusal.find("is the project file") != std::string::npos, refusal.c_str());
    }

    void unknownModelOrDamagedStateThrowsInputError()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, (void)Inspector(project_, modelId_ + 1000));

        const std::string copy = tempPath("damaged.dsproj");
        fs::copy_file(project_, copy);
        std::int64_t damagedId = 0;
        {
            ProjectFile project = ProjectFile::open(copy);
            ModelRecord model;
            model.name = "damaged";
            model.method = "padim";
            model.backbone = "resnet18";
            model.state = {1, 2, 3, 4};
            damagedId = project.addModel(model);
        }
        try {
            Inspector inspector(copy, damagedId);
            QFAIL("a damaged model was loaded");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("model " + std::to_string(damagedId)) != std::string::npos, e.what());
        }
    }

    void createdOnOneThreadUsedOnAnother()
    {
        const std::string path = (fs::path(dataset_) / "test" / "good" / "001.png").string();
        Inspector inspector(project_, modelId_);
        const double here = inspector.inspect(path).score;
        double there = -1;
        std::thread worker([&] { there = inspector.inspect(path).score; });
        worker.join();
        QVERIFY(relativelyClose(here, there));
    }
};

QTEST_GUILESS_MAIN(TestInspector)
#include "test_inspector.moc"
