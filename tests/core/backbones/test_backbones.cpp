// torch before Qt: Qt's keywords would break LibTorch's headers.
#include "core/backbones/Backbone.h"
#include "core/Error.h"
#include "tests/support/TinyTorchScript.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>

using namespace ds;

namespace {

using test::kTwoLayerForward;
using test::writeTinyTorchScript;

torch::Tensor roundTrip(Backbone& backbone, const torch::Tensor& input)
{
    torch::serialize::OutputArchive out;
    backbone.save(out);
    std::ostringstream bytes;
    out.save_to(bytes);
    std::istringstream in(bytes.str());
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    return loadBackbone(archive)->extract(input)[1];
}

} // namespace

class TestBackbones : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtinShapes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("layer2Channels");
        QTest::addColumn<int>("layer3Channels");
        QTest::addRow("resnet18") << "resnet18" << 128 << 256;
        QTest::addRow("wide_resnet50_2") << "wide_resnet50_2" << 512 << 1024;
    }

    void builtinShapes()
    {
        QFETCH(QString, name);
        QFETCH(int, layer2Channels);
        QFETCH(int, layer3Channels);
        torch::NoGradGuard noGrad;
        auto backbone = createBackbone(name.toStdString(), 0);
        const auto maps = backbone->extract(torch::randn({2, 3, 64, 64}));
        QCOMPARE(int(maps.size()), 3);
        QCOMPARE(maps[0].sizes().vec(), (std::vector<int64_t> {2, layer2Channels / 2, 16, 16}));
        QCOMPARE(maps[1].sizes().vec(), (std::vector<int64_t> {2, layer2Channels, 8, 8}));
        QCOMPARE(maps[2].sizes().vec(), (std::vector<int64_t> {2, layer3Channels, 4, 4}));
        QVERIFY(maps[2].isfinite().all().item<bool>());
    }

    void filterBankShapes()
    {
        torch::NoGradGuard noGrad;
        const auto maps = createBackbone("filterbank", 0)->extract(torch::randn({2, 3, 64, 64}));
        QCOMPARE(int(maps.size()), 3);
        // Per colour channel 6 responses and 5 energies; two scales on the finest and coarsest maps.
        QCOMPARE(maps[0].sizes().vec(), (std::vector<int64_t> {2, 66, 16, 16}));
        QCOMPARE(maps[1].sizes().vec(), (std::vector<int64_t> {2, 33, 8, 8}));
        QCOMPARE(maps[2].sizes().vec(), (std::vector<int64_t> {2, 66, 4, 4}));
        // The smallest image a model takes.
        QVERIFY(createBackbone("filterbank", 0)->extract(torch::randn({1, 3, 32, 48}))[2].isfinite().all().item<bool>());
    }

    // Known answers: nothing on a flat image, a blob response on a dark spot, an edge
    // across a line but none along it.
    void filterBankRespondsToBlobsAndLines()
    {
        torch::NoGradGuard noGrad;
        auto bank = createBackbone("filterbank", 0);
        // Channel layout of the finest map: [0, 33) the 2 px scale, [33, 66) the 4 px one;
        // within a scale, input channel c's responses G, Gx, Gy, Gxx, Gxy, Gyy at 6c + k.
        constexpr int64_t coarse = 33, gx = 1, gxx = 3, gyy = 5;
        const torch::Tensor flat = torch::full({1, 3, 64, 64}, 0.5f);
        const torch::Tensor flatMap = bank->extract(flat)[0][0];
        for (int64_t k = 1; k < 6; ++k)
            QVERIFY(flatMap[coarse + k].abs().max().item<float>() < 1e-5f);

        // A dark Gaussian spot centred on the middle of cell (7, 7), i.e. pixel 29.5.
        const torch::Tensor axis = torch::arange(64, torch::kFloat32) - 29.5f;
        const torch::Tensor radius2 = axis.view({64, 1}).pow(2) + axis.view({1, 64}).pow(2);
        const torch::Tensor spot = (0.5f - 0.4f * torch::exp(-radius2 / 18.0f)).expand({1, 3, 64, 64}).contiguous();
        const torch::Tensor spotMap = bank->extract(spot)[0][0];
        const float gxxAtSpot = spotMap[coarse + gxx][7][7].item<float>();
        const float gyyAtSpot = spotMap[coarse + gyy][7][7].item<float>();
        QVERIFY2(gxxAtSpot > 0.01f && gyyAtSpot > 0.01f, "a dark spot curves up in both directions");
        QVERIFY(std::abs(spotMap[coarse + gx][7][7].item<float>()) < 0.1f * gxxAtSpot); // symmetric about the centre
        QVERIFY(gxxAtSpot > 5.0f * spotMap[coarse + gxx][1][1].abs().item<float>()); // and local

        // A dark vertical line through pixel column 29.5: curvature across it, none along.
        const torch::Tensor line
            = (0.5f - 0.4f * torch::exp(-axis.pow(2) / 4.0f)).view({1, 1, 1, 64}).expand({1, 3, 64, 64}).contiguous();
        const torch::Tensor lineMap = bank->extract(line)[0][0];
        const float across = lineMap[coarse + gxx][7][7].item<float>();
        QVERIFY(across > 0.01f);
        QVERIFY(std::abs(lineMap[coarse + gyy][7][7].item<float>()) < 0.01f * across);
    }

    void filterBankSaveLoadIsIdentical()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor input = torch::randn({1, 3, 64, 64});
        auto backbone = createBackbone("filterbank", 0);
        QVERIFY(torch::equal(backbone->extract(input)[1], roundTrip(*backbone, input)));
    }

    void seedMakesInitialisationDeterministic()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor input = torch::randn({1, 3, 64, 64});
        const auto a = createBackbone("resnet18", 7)->extract(input)[1];
        const auto b = createBackbone("resnet18", 7)->extract(input)[1];
        const auto c = createBackbone("resnet18", 8)->extract(input)[1];
        QVERIFY(torch::equal(a, b));
        QVERIFY(!torch::equal(a, c));
    }

    void builtinSaveLoadIsIdentical()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor input = torch::randn({1, 3, 64, 64});
        auto backbone = createBackbone("resnet18", 3);
        QVERIFY(torch::equal(backbone->extract(input)[1], roundTrip(*backbone, input)));
    }

    void loadsTorchScriptFile()
    {
        QTemporaryDir dir;
        const std::string path = writeTinyTorchScript(dir, kTwoLayerForward);
        torch::NoGradGuard noGrad;
        auto backbone = createBackbone(path, 0);
        QCOMPARE(backbone->name(), std::string("tiny.pt"));
        const torch::Tensor input = torch::randn({2, 3, 64, 64});
        const auto maps = backbone->extract(input);
        QCOMPARE(maps[0].sizes().vec(), (std::vector<int64_t> {2, 6, 8, 8}));
        QCOMPARE(maps[1].sizes().vec(), (std::vector<int64_t> {2, 10, 4, 4}));
        // The saved model carries the file's bytes: it still loads when the file is gone.
        QFile::remove(QString::fromStdString(path));
        QVERIFY(torch::equal(maps[1], roundTrip(*backbone, input)));
        QCOMPARE(int(maps.size()), 2);
    }

    void refusesTorchScriptWithOneOutput()
    {
        QTemporaryDir dir;
        const std::string path = writeTinyTorchScript(dir, R"(
def forward(self, x):
    return torch.conv2d(x, self.w2, None, [8, 8], [1, 1])
)");
        try {
            createBackbone(path, 0);
            QFAIL("a one-output module was accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("two feature maps")), e.what());
        }
    }

    void refusesBrokenFileAndUnknownName()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("broken.pt")).toStdString();
        std::ofstream(path, std::ios::binary) << std::string(300, '\x17');
        QVERIFY_THROWS_EXCEPTION(InputError, createBackbone(path, 0));
        QVERIFY_THROWS_EXCEPTION(InputError, createBackbone("resnet1000", 0));
    }
};

QTEST_GUILESS_MAIN(TestBackbones)
#include "test_backbones.moc"
