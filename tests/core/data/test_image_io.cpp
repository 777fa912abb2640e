#include "core/Error.h"
#include "core/data/ImageIO.h"

#include <QTemporaryDir>
#include <QTest>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>
#include <limits>

#include <sys/stat.h>

using namespace ds;

class TestImageIO : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(QString::fromLatin1(name)).toStdString(); }

    // A BGR(A) test pattern of the given depth and channel count.
    static cv::Mat pattern(int depth, int channels)
    {
        cv::Mat image(24, 32, CV_MAKETYPE(depth, channels));
        const double top = depth == CV_16U ? 65535.0 : 255.0;
        for (int y = 0; y < image.rows; ++y)
            for (int x = 0; x < image.cols; ++x)
                for (int c = 0; c < channels; ++c) {
                    const double value = top * ((x + 3 * y + 17 * c) % 32) / 31.0;
                    if (depth == CV_16U)
                        image.ptr<ushort>(y)[x * channels + c] = cv::saturate_cast<ushort>(value);
                    else
                        image.ptr<uchar>(y)[x * channels + c] = cv::saturate_cast<uchar>(value);
                }
        return image;
    }

    void writeBytes(const std::string& file, const std::string& bytes) { std::ofstream(file, std::ios::binary) << bytes; }

    void expectInputError(const std::string& file, const char* reasonPart)
    {
        try {
            loadImageRgb(file);
            QFAIL("no error for a bad file");
        } catch (const InputError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
            QVERIFY2(message.contains(QString::fromLatin1(reasonPart)), qPrintable(message));
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void decodesFormatsDepthsAndChannels_data()
    {
        QTest::addColumn<QString>("extension");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("channels");
        QTest::addRow("png 8-bit grey") << "png" << CV_8U << 1;
        QTest::addRow("png 8-bit rgb") << "png" << CV_8U << 3;
        QTest::addRow("png 8-bit rgba") << "png" << CV_8U << 4;
        QTest::addRow("png 16-bit grey") << "png" << CV_16U << 1;
        QTest::addRow("png 16-bit rgb") << "png" << CV_16U << 3;
        QTest::addRow("tiff 16-bit rgb") << "tif" << CV_16U << 3;
        QTest::addRow("tiff 8-bit grey") << "tiff" << CV_8U << 1;
        QTest::addRow("bmp rgb") << "bmp" << CV_8U << 3;
        QTest::addRow("jpeg rgb") << "jpg" << CV_8U << 3;
        QTest::addRow("jpeg grey") << "jpeg" << CV_8U << 1;
    }

    void decodesFormatsDepthsAndChannels()
    {
        QFETCH(QString, extension);
        QFETCH(int, depth);
        QFETCH(int, channels);
        const cv::Mat written = pattern(depth, channels);
        const std::string file = path(qPrintable(QStringLiteral("image.") + extension));
        QVERIFY(cv::imwrite(file, written));
        const cv::Mat loaded = loadImageRgb(file);
        QCOMPARE(loaded.type(), CV_32FC3);
        QCOMPARE(loaded.cols, written.cols);
        QCOMPARE(loaded.rows, written.rows);
        // Pixel (5, 7): the first channel written (blue in BGR, or grey) must come back as
        // the last RGB channel (or all three), scaled to [0, 1]; JPEG is lossy.
        const double top = depth == CV_16U ? 65535.0 : 255.0;
        const double expectedBlue
            = (depth == CV_16U ? written.ptr<ushort>(7)[5 * channels] : written.ptr<uchar>(7)[5 * channels]) / top;
        const double tolerance = extension.startsWith(QStringLiteral("jp")) ? 0.08 : 1e-4;
        QVERIFY(std::abs(loaded.at<cv::Vec3f>(7, 5)[2] - expectedBlue) < tolerance);
        double minimum = 0, maximum = 0;
        cv::minMaxLoc(loaded.reshape(1), &minimum, &maximum);
        QVERIFY(minimum >= 0.0 && maximum <= 1.0 + 1e-6);
    }

    void sixteenBitKeepsPrecision()
    {
        cv::Mat fine(4, 4, CV_16U, cv::Scalar(1000));
        fine.at<ushort>(0, 0) = 1001; // one 16-bit step: lost if decoded through 8 bits
        const std::string file = path("fine.png");
        QVERIFY(cv::imwrite(file, fine));
        const cv::Mat loaded = loadImageRgb(file);
        QVERIFY(loaded.at<cv::Vec3f>(0, 0)[0] > loaded.at<cv::Vec3f>(1, 1)[0]);
    }

    void missingFileNamesPathAndReason() { expectInputError(path("absent.png"), "not found"); }

    void emptyFileIsRefused()
    {
        writeBytes(path("empty.png"), "");
        expectInputError(path("empty.png"), "empty");
    }

    void garbageIsRefused()
    {
        writeBytes(path("garbage.png"), std::string(2000, 'x'));
        expectInputError(path("garbage.png"), "damaged");
    }

    void truncatedPngIsRefused()
    {
        std::vector<uchar> bytes;
        cv::imencode(".png", pattern(CV_8U, 3), bytes);
        writeBytes(path("cut.png"), std::string(bytes.begin(), bytes.begin() + long(bytes.size() / 2)));
        expectInputError(path("cut.png"), "damaged");
    }

    void truncatedJpegIsRefused()
    {
        std::vector<uchar> bytes;
        cv::imencode(".jpg", pattern(CV_8U, 3), bytes);
        writeBytes(path("cut.jpg"), std::string(bytes.begin(), bytes.begin() + long(bytes.size() * 2 / 3)));
        expectInputError(path("cut.jpg"), "truncated");
    }

    // OpenCV decodes these with only "Corrupt JPEG data" on stderr and grey where data is
    // missing: a cut file with its end marker put back, and bytes overwritten mid-stream.
    void damagedJpegDataIsRefused()
    {
        std::vector<uchar> bytes;
        cv::Mat large(96, 128, CV_8UC3);
        cv::randu(large, 0, 256); // noise: every block carries data
        QVERIFY(cv::imencode(".jpg", large, bytes));
        std::vector<uchar> cut(bytes.begin(), bytes.begin() + long(bytes.size() / 2));
        cut.push_back(0xFF);
        cut.push_back(0xD9);
        writeBytes(path("cut-with-end.jpg"), std::string(cut.begin(), cut.end()));
        expectInputError(path("cut-with-end.jpg"), "JPEG data is damaged");

        std::vector<uchar> overwritten = bytes;
        for (size_t i = 0; i < 64; ++i)
            overwritten[overwritten.size() / 2 + i] = 0xFF;
        writeBytes(path("overwritten.jpg"), std::string(overwritten.begin(), overwritten.end()));
        expectInputError(path("overwritten.jpg"), "JPEG data is damaged");

        writeBytes(path("intact.jpg"), std::string(bytes.begin(), bytes.end()));
        QCOMPARE(loadImageRgb(path("intact.jpg")).size(), large.size());
    }

    void emptyDeclaredSizeIsRefused()
    {
        std::vector<uchar> png;
        QVERIFY(cv::imencode(".png", cv::Mat(8, 8, CV_8UC1, cv::Scalar(0)), png));
        png[16] = png[17] = png[18] = png[19] = 0; // IHDR width 0
        writeBytes(path("zero-width.png"), std::string(png.begin(), png.end()));
        expectInputError(path("zero-width.png"), "width or height of 0");
    }

    void folderIsRefused() { expectInputError(dir_.path().toStdString(), "folder"); }

    // A float TIFF of NaN would poison a model and every later score: refused at decode.
    void nonFinitePixelsAreRefused()
    {
        // Greyscale, as a camera writes them (OpenCV's 3-channel float TIFF writer drops NaN).
        cv::Mat image(16, 16, CV_32FC1, cv::Scalar::all(0.5));
        image.at<float>(3, 4) = std::numeric_limits<float>::quiet_NaN();
        QVERIFY(cv::imwrite(path("nan.tiff"), image));
        expectInputError(path("nan.tiff"), "not finite");
        image.at<float>(3, 4) = std::numeric_limits<float>::infinity();
        QVERIFY(cv::imwrite(path("inf.tiff"), image));
        expectInputError(path("inf.tiff"), "not finite");
    }

    // A small file declaring a huge image is refused from its header, before decoding.
    void decompressionBombsAreRefusedUndecoded()
    {
        std::vector<uchar> png;
        QVERIFY(cv::imencode(".png", cv::Mat(8, 8, CV_8UC1, cv::Scalar(0)), png));
        const auto put32 = [&](size_t at, uint32_t value) {
            for (int i = 0; i < 4; ++i)
                png[at + size_t(i)] = uchar(value >> (24 - 8 * i));
        };
        put32(16, 30000); // IHDR width and height
        put32(20, 30000);
        writeBytes(path("bomb.png"), std::string(png.begin(), png.end()));
        expectInputError(path("bomb.png"), "900 megapixels declared");

        std::vector<uchar> jpeg;
        QVERIFY(cv::imencode(".jpg", cv::Mat(8, 8, CV_8UC3, cv::Scalar(9, 9, 9)), jpeg));
        for (size_t at = 2; at + 9 < jpeg.size(); ++at)
            if (jpeg[at] == 0xFF && jpeg[at + 1] == 0xC0) { // baseline start of frame
                jpeg[at + 5] = jpeg[at + 7] = 0x75; // 0x7530 = 30000
                jpeg[at + 6] = jpeg[at + 8] = 0x30;
                break;
            }
        writeBytes(path("bomb.jpg"), std::string(jpeg.begin(), jpeg.end()));
        expectInputError(path("bomb.jpg"), "900 megapixels declared");
    }

    // Special files are never opened: a pipe would block forever, a device never end.
    void pipesDevicesAndLinkLoopsAreRefused()
    {
        QCOMPARE(::mkfifo(path("pipe.png").c_str(), 0600), 0);
        expectInputError(path("pipe.png"), "not a regular file");
        try {
            loadImageRgb("/dev/zero");
            QFAIL("a device was read");
        } catch (const InputError& e) {
            QVERIFY(QString::fromUtf8(e.what()).contains(QStringLiteral("not a regular file")));
        }
        std::filesystem::create_symlink(path("loop.png"), path("loop.png"));
        expectInputError(path("loop.png"), "cannot be read");
    }

    void maskIsBinary()
    {
        cv::Mat soft(8, 8, CV_8U, cv::Scalar(0));
        soft.at<uchar>(2, 3) = 1;
        soft.at<uchar>(4, 4) = 200;
        QVERIFY(cv::imwrite(path("mask.png"), soft));
        const cv::Mat mask = loadMask(path("mask.png"));
        QCOMPARE(mask.type(), CV_8U);
        QCOMPARE(cv::countNonZero(mask), 2);
        QCOMPARE(int(mask.at<uchar>(2, 3)), 255);
    }

    void resizeToSquareGivesSide()
    {
        const cv::Mat image(30, 50, CV_32FC3, cv::Scalar(0.5, 0.5, 0.5));
        const cv::Mat resized = resizeToSquare(image, 16);
        QCOMPARE(resized.cols, 16);
        QCOMPARE(resized.rows, 16);
        QVERIFY(std::abs(resized.at<cv::Vec3f>(8, 8)[1] - 0.5f) < 1e-5);
    }
};

QTEST_GUILESS_MAIN(TestImageIO)
#include "test_image_io.moc"
