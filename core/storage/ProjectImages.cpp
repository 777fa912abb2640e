// ProjectFile: the images and their ground-truth masks.
#include "core/storage/ProjectFile.h"

#include "core/Error.h"
#include "core/storage/ProjectFileMasks.h"

#include <opencv2/imgcodecs.hpp>

namespace ds {

namespace project_file {

std::vector<std::uint8_t> maskPng(const cv::Mat& mask)
{
    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", mask, png))
        throw Error("Cannot store mask: PNG encoding failed");
    return png;
}

std::vector<std::uint8_t> encodeMask(const cv::Mat& mask, const ImageRecord& image)
{
    if (mask.cols != image.width || mask.rows != image.height)
        throw InputError("Mask of " + std::to_string(mask.cols) + "x" + std::to_string(mask.rows) + " does not match image "
                         + quoted(image.path) + " of " + std::to_string(image.width) + "x" + std::to_string(image.height));
    return maskPng(mask);
}

cv::Mat decodeMask(const std::vector<std::uint8_t>& png, const std::string& path, const std::string& what)
{
    cv::Mat mask;
    try {
        mask = cv::imdecode(png, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception&) {
        // Left empty: reported below like any other undecodable data.
    }
    if (mask.empty() || mask.type() != CV_8UC1)
        throw InputError("Project file " + quoted(path) + " is damaged: " + what + " is not an 8-bit grayscale PNG");
    return mask;
}

} // namespace project_file

namespace {

Split splitAt(const SqliteStatement& statement, int column, const std::string& path)
{
    const std::optional<Split> split = splitFromName(statement.textAt(column));
    if (!split)
        throw InputError("Project file " + quoted(path) + " is damaged: unknown image split '" + statement.textAt(column) + "'");
    return *split;
}

// Columns: id, path, sha256, width, height, split, label, has mask.
constexpr const char* kSelectImages = "SELECT images.id, path, sha256, width, height, split, label, masks.image_id IS NOT NULL "
                                      "FROM images LEFT JOIN masks ON masks.image_id = images.id ";

ImageRecord imageAt(const SqliteStatement& statement, const std::string& path)
{
    ImageRecord image;
    image.id = statement.int64At(0);
    image.path = statement.textAt(1);
    image.sha256 = statement.textAt(2);
    image.width = static_cast<int>(statement.int64At(3));
    image.height = static_cast<int>(statement.int64At(4));
    image.split = splitAt(statement, 5, path);
    image.label = statement.textAt(6);
    image.hasMask = statement.int64At(7) != 0;
    return image;
}

} // namespace

AddImageResult ProjectFile::addImage(const ImageRecord& image)
{
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    SqliteStatement insert(db,
                           "INSERT INTO images (path, sha256, width, height, split, label) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING");
    insert.bind(1, image.path)
        .bind(2, image.sha256)
        .bind(3, image.width)
        .bind(4, image.height)
        .bind(5, std::string(splitName(image.split)))
        .bind(6, image.label)
        .run();
    AddImageResult result {db.lastInsertRowId(), db.changes() == 1};
    if (!result.inserted) {
        SqliteStatement existing(db, "SELECT id FROM images WHERE sha256 = ?");
        existing.bind(1, image.sha256).step();
        result.id = existing.int64At(0);
    }
    transaction.commit();
    return result;
}

std::vector<ImageRecord> ProjectFile::images(std::optional<Split> split) const
{
    const std::string sql = std::string(kSelectImages) + (split ? "WHERE split = ? ORDER BY images.id" : "ORDER BY images.id");
    SqliteStatement statement(connection(), sql.c_str());
    if (split)
        statement.bind(1, std::string(splitName(*split)));
    std::vector<ImageRecord> images;
    while (statement.step())
        images.push_back(imageAt(statement, path()));
    return images;
}

std::optional<ImageRecord> ProjectFile::image(std::int64_t imageId) const
{
    const std::string sql = std::string(kSelectImages) + "WHERE images.id = ?";
    SqliteStatement statement(connection(), sql.c_str());
    statement.bind(1, imageId);
    if (!statement.step())
        return std::nullopt;
    return imageAt(statement, path());
}

void ProjectFile::setMask(std::int64_t imageId, const cv::Mat& mask)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        throw Error("Cannot store mask: expected a non-empty single-channel 8-bit image");
    const std::optional<ImageRecord> target = image(imageId);
    if (!target)
        throw Error("Cannot store mask: project " + quoted(path()) + " has no image with id " + std::to_string(imageId));
    SqliteStatement statement(connection(),
                              "INSERT INTO masks (image_id, png) VALUES (?, ?) "
                              "ON CONFLICT (image_id) DO UPDATE SET png = excluded.png");
    statement.bind(1, imageId).bind(2, project_file::encodeMask(mask, *target)).run();
}

cv::Mat ProjectFile::mask(std::int64_t imageId) const
{
    SqliteStatement statement(connection(), "SELECT png FROM masks WHERE image_id = ?");
    statement.bind(1, imageId);
    if (!statement.step())
        return {};
    return project_file::decodeMask(statement.blobAt(0), path(), "the mask of image " + std::to_string(imageId));
}

void ProjectFile::setSplit(const std::vector<std::int64_t>& imageIds, Split split)
{
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    SqliteStatement update(db, "UPDATE images SET split = ? WHERE id = ?");
    for (std::int64_t imageId : imageIds) {
        update.reset();
        update.bind(1, std::string(splitName(split))).bind(2, imageId).run();
        if (db.changes() == 0)
            throw InputError("Cannot change the split: project " + quoted(path()) + " has no image with id "
                             + std::to_string(imageId));
    }
    transaction.commit();
}

} // namespace ds
