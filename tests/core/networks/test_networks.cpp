// The trained-network layer: building blocks, losses, and the training loop's promises
// (progress, live curve, cancel, early stop, seeded determinism).
#include "core/networks/Networks.h" // torch before Qt
#include "core/Error.h"
#include "core/networks/TrainingLoop.h"

#include <QTest>

#include <cmath>

using namespace ds;

class TestNetworks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void encoderDecoderKeepsTheInputSize()
    {
        EncoderDecoder segmenter(6, 1, 8, 4, true), rebuilder(3, 3, 8, 4, false);
        const torch::Tensor input = torch::rand({2, 6, 64, 96});
        QCOMPARE(segmenter->forward(input).sizes().vec(), (std::vector<int64_t> {2, 1, 64, 96}));
        QCOMPARE(rebuilder->forward(input.slice(1, 0, 3)).sizes().vec(), (std::vector<int64_t> {2, 3, 64, 96}));
    }

    void residualEncoderHasFourStagesAtResNetStrides()
    {
        ResidualEncoder encoder(8);
        const std::vector<torch::Tensor> maps = encoder->forward(torch::rand({1, 3, 128, 64}));
        QCOMPARE(maps.size(), size_t(4));
        for (int stage = 0; stage < 4; ++stage) {
            QCOMPARE(maps[size_t(stage)].size(1), int64_t(8 << stage));
            QCOMPARE(maps[size_t(stage)].size(2), int64_t(128 / (4 << stage)));
            QCOMPARE(maps[size_t(stage)].size(3), int64_t(64 / (4 << stage)));
        }
        QCOMPARE(encoder->outputChannels(), int64_t(64));
    }

    void seededConstructionIsDeterministic()
    {
        const auto build
            = [](uint64_t seed) { return seededConstruction(seed, [] { return EncoderDecoder(3, 1, 8, 2, true); }); };
        const auto a = build(5)->parameters(), b = build(5)->parameters(), c = build(6)->parameters();
        bool differs = false;
        for (size_t i = 0; i < a.size(); ++i) {
            QVERIFY(torch::equal(a[i], b[i]));
            differs = differs || !torch::equal(a[i], c[i]);
        }
        QVERIFY(differs);
    }

    void lossesHaveKnownValues()
    {
        const torch::Tensor image = torch::rand({2, 3, 32, 32});
        QVERIFY(ssimLoss(image, image).item<double>() < 1e-4);
        QVERIFY(ssimLoss(image, torch::rand({2, 3, 32, 32})).item<double>() > 0.5);
        const torch::Tensor targets = (torch::rand({2, 16, 16}) > 0.9).to(torch::kFloat32);
        const double right = focalLoss(targets * 20 - 10, targets).item<double>();
        const double wrong = focalLoss(10 - targets * 20, targets).item<double>();
        QVERIFY(right < 1e-4);
        QVERIFY(wrong > 1.0);
    }

    // A small U-Net learns to segment bright squares with the shared loss and loop.
    void aSegmenterLearnsASimpleTask()
    {
        EncoderDecoder segmenter = seededConstruction(1, [] { return EncoderDecoder(1, 1, 8, 2, true); });
        torch::optim::Adam optimiser(segmenter->parameters(), torch::optim::AdamOptions(3e-3));
        torch::manual_seed(2);
        const auto batch = [] {
            torch::Tensor masks = torch::zeros({8, 1, 32, 32});
            const torch::Tensor corners = torch::randint(0, 24, {8, 2});
            for (int64_t i = 0; i < 8; ++i) {
                const int64_t y = corners[i][0].item<int64_t>(), x = corners[i][1].item<int64_t>();
                masks[i].slice(1, y, y + 8).slice(2, x, x + 8).fill_(1);
            }
            return std::make_pair(masks * 0.5 + torch::rand({8, 1, 32, 32}) * 0.4, masks);
        };
        JobContext job;
        TrainingPlan plan;
        plan.steps = 120;
        std::vector<double> losses;
        runTrainingLoop(job, plan, [&](int) {
            const auto [input, masks] = batch();
            const torch::Tensor loss = focalLoss(segmenter->forward(input), masks);
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            losses.push_back(loss.item<double>());
            return losses.back();
        });
        const double early = (losses[0] + losses[1] + losses[2]) / 3;
        const double late = (losses[117] + losses[118] + losses[119]) / 3;
        QVERIFY2(late < 0.3 * early, qPrintable(QStringLiteral("%1 -> %2").arg(early).arg(late)));
    }

    void loopReportsProgressCurveAndLog()
    {
        JobContext job;
        std::vector<double> fractions;
        int curvePoints = 0, logLines = 0;
        job.setProgressCallback([&](double fraction, const std::string&) { fractions.push_back(fraction); });
        job.setCurveCallback([&](const std::string& curve, double, double) { curvePoints += curve == "loss"; });
        job.setLogCallback([&](const std::string& line) { logLines += line.find("left") != std::string::npos; });
        TrainingPlan plan;
        plan.steps = 50;
        plan.logEvery = 10;
        QCOMPARE(runTrainingLoop(job, plan, [](int step) { return 1.0 / step; }), 50);
        QCOMPARE(curvePoints, 50);
        QCOMPARE(logLines, 5);
        QCOMPARE(fractions.back(), 1.0);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    }

    void cancelStopsBeforeTheNextStep()
    {
        JobContext job;
        TrainingPlan plan;
        plan.steps = 1000;
        int ran = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, runTrainingLoop(job, plan, [&](int step) {
                                     ++ran;
                                     if (step == 7)
                                         job.cancel();
                                     return 1.0;
                                 }));
        QCOMPARE(ran, 7);
    }

    void stopsEarlyWhenTheLossStopsFalling()
    {
        JobContext job;
        TrainingPlan plan;
        plan.steps = 1000;
        plan.patience = 40;
        // Falls for 100 steps, then flat.
        const int ran = runTrainingLoop(job, plan, [](int step) { return step < 100 ? 1.0 / step : 0.01; });
        QVERIFY2(ran < 300, qPrintable(QString::number(ran)));
        QVERIFY(ran > 100);
        plan.patience = 0;
        QCOMPARE(runTrainingLoop(job, plan, [](int) { return 1.0; }), 1000);
    }

    void durationsReadAsAPersonSaysThem()
    {
        QCOMPARE(readableDuration(45), std::string("45 s"));
        QCOMPARE(readableDuration(600), std::string("10 min"));
        QCOMPARE(readableDuration(7200), std::string("2.0 h"));
    }
};

QTEST_GUILESS_MAIN(TestNetworks)
#include "test_networks.moc"
