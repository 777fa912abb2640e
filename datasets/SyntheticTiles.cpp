// "tiles": a wall of square glazed ceramic tiles (sage-green speckled glaze, bevelled
// edges) with light grey grout lines, lit from the upper left.
#include "datasets/SyntheticRendering.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace ds::synth {

namespace {

constexpr int kTintTableSide = 16; // per-tile shades repeat after this many tiles

// Grid geometry in render pixels. Grid coordinates (u, v) are image coordinates
// rotated by `angle` and shifted so grout lines are centred on multiples of `pitch`.
struct TileGrid {
    double pitch = 0, grout = 0, bevel = 0;
    double cosA = 1, sinA = 0, originU = 0, originV = 0;

    cv::Point2d toGrid(double x, double y) const { return {cosA * x + sinA * y + originU, -sinA * x + cosA * y + originV}; }
    cv::Point2d toImage(cv::Point2d grid) const
    {
        const double u = grid.x - originU, v = grid.y - originV;
        return {cosA * u - sinA * v, sinA * u + cosA * v};
    }
    // Corners of tile (i, j)'s face, clockwise from its top-left, in image coordinates;
    // `grow` pushes them outwards.
    std::array<cv::Point2d, 4> faceCorners(int i, int j, double grow = 0) const
    {
        const double lo = grout / 2 - grow, hi = pitch - grout / 2 + grow;
        return {toImage({i * pitch + lo, j * pitch + lo}), toImage({i * pitch + hi, j * pitch + lo}),
                toImage({i * pitch + hi, j * pitch + hi}), toImage({i * pitch + lo, j * pitch + hi})};
    }
};

TileGrid sampleGrid(const Canvas& canvas, cv::RNG& rng)
{
    TileGrid grid;
    grid.pitch = 0.2 * canvas.size * uniform(rng, 0.99, 1.01);
    grid.grout = 5.0 * canvas.unit();
    grid.bevel = 3.0 * canvas.unit();
    const double angle = uniform(rng, -0.6, 0.6) * CV_PI / 180;
    grid.cosA = std::cos(angle);
    grid.sinA = std::sin(angle);
    // Grout lines near the same place in every image (a fixed camera over a conveyor),
    // the large offset keeps grid coordinates positive.
    const double jitter = 0.015 * canvas.size;
    grid.originU = 10 * grid.pitch - 0.1 * canvas.size + uniform(rng, -jitter, jitter);
    grid.originV = 10 * grid.pitch - 0.1 * canvas.size + uniform(rng, -jitter, jitter);
    return grid;
}

// Speckles of the glaze: mostly dark specks, some light ones, as a signed map.
cv::Mat speckleMap(const Canvas& canvas, cv::RNG& rng)
{
    cv::Mat specks = cv::Mat::zeros(canvas.size, canvas.size, CV_32F);
    const int count = static_cast<int>(0.004 * 256 * 256);
    for (int i = 0; i < count; ++i) {
        const cv::Point2d center = randomPoint(rng, canvas, 0);
        const double radius = uniform(rng, 0.5, 1.3) * canvas.unit();
        const double value = rng.uniform(0, 4) == 0 ? 0.6 : -uniform(rng, 0.5, 1.0);
        cv::circle(specks, cv::Point(cvRound(center.x * 16), cvRound(center.y * 16)), cvRound(radius * 16), cv::Scalar(value),
                   cv::FILLED, cv::LINE_AA, 4);
    }
    return blurred(specks, 0.4 * canvas.unit());
}

cv::Mat renderWall(const Canvas& canvas, const TileGrid& grid, cv::RNG& rng)
{
    const int n = canvas.size;
    const cv::Vec3f glaze(static_cast<float>(0.50 * (1 + rng.gaussian(0.015))),
                          static_cast<float>(0.60 * (1 + rng.gaussian(0.015))),
                          static_cast<float>(0.52 * (1 + rng.gaussian(0.015))));
    const cv::Vec3f groutColour(0.64f, 0.66f, 0.67f);
    // No two tiles are quite alike: shade, and a slight tilt that changes how much
    // light each part of the face reflects.
    struct TileLook {
        cv::Vec3f tint;
        double tiltU, tiltV;
    };
    std::vector<TileLook> looks(kTintTableSide * kTintTableSide);
    for (TileLook& look : looks) {
        const double brightness = 1 + rng.gaussian(0.025);
        look.tint = cv::Vec3f(static_cast<float>(brightness * (1 + rng.gaussian(0.012))),
                              static_cast<float>(brightness * (1 + rng.gaussian(0.012))),
                              static_cast<float>(brightness * (1 + rng.gaussian(0.012))));
        look.tiltU = rng.gaussian(0.02);
        look.tiltV = rng.gaussian(0.02);
    }
    // Light direction in grid coordinates (y down: upper left is negative).
    const double lightAngle = (225 + uniform(rng, -15.0, 15.0)) * CV_PI / 180;
    const double lightU = std::cos(lightAngle), lightV = std::sin(lightAngle);
    // Reflection of the lamp in the glaze: a broad soft highlight.
    const cv::Point2d glare = randomPoint(rng, canvas, 0);
    const double glareSigma = uniform(rng, 0.25, 0.4) * n;
    const double glareStrength = uniform(rng, 0.04, 0.09);

    const cv::Mat specks = speckleMap(canvas, rng);
    const cv::Mat mottling = fractalNoise(rng, n, 4, 3, 0.5);
    const cv::Mat sand = grainNoise(rng, n, 0.6 * canvas.unit(), 0.6 * canvas.unit());

    const double halfGrout = grid.grout / 2;
    cv::Mat image(n, n, CV_32FC3);
    for (int y = 0; y < n; ++y) {
        auto* pixel = image.ptr<cv::Vec3f>(y);
        for (int x = 0; x < n; ++x) {
            const cv::Point2d g = grid.toGrid(x, y);
            const int i = static_cast<int>(std::floor(g.x / grid.pitch));
            const int j = static_cast<int>(std::floor(g.y / grid.pitch));
            const double fu = g.x - i * grid.pitch, fv = g.y - j * grid.pitch;
            // Distances to the face's edges (negative: in the grout).
            const double left = fu - halfGrout, right = grid.pitch - halfGrout - fu;
            const double top = fv - halfGrout, bottom = grid.pitch - halfGrout - fv;
            const double inside = std::min({left, right, top, bottom});
            if (inside >= 0) {
                // Rounded edges: each edge's slope faces outwards; lit edges brighten.
                double shade = 1;
                const auto edge = [&](double distance, double normalU, double normalV) {
                    if (distance < grid.bevel) {
                        const double t = 1 - distance / grid.bevel;
                        shade += 0.45 * t * t * (normalU * lightU + normalV * lightV);
                    }
                };
                edge(left, -1, 0);
                edge(right, 1, 0);
                edge(top, 0, -1);
                edge(bottom, 0, 1);
                const double dx = x - glare.x, dy = y - glare.y;
                shade += glareStrength * std::exp(-(dx * dx + dy * dy) / (2 * glareSigma * glareSigma));
                const TileLook& look
                    = looks[static_cast<std::size_t>((i % kTintTableSide) * kTintTableSide + j % kTintTableSide)];
                shade += look.tiltU * (2 * fu / grid.pitch - 1) + look.tiltV * (2 * fv / grid.pitch - 1);
                const double surface = (1 + 0.035 * mottling.at<float>(y, x)) * (1 + 0.35 * specks.at<float>(y, x));
                pixel[x] = glaze.mul(look.tint) * static_cast<float>(shade * surface);
            } else {
                // Recessed grout, darker next to the tiles (ambient occlusion).
                const double du = std::max({0.0, -left, -right}), dv = std::max({0.0, -top, -bottom});
                const double toFace = (du > 0 && dv > 0) ? std::hypot(du, dv) : std::max(du, dv);
                const double occlusion = 1 - 0.3 * std::exp(-toFace / (0.25 * grid.grout));
                pixel[x] = groutColour * static_cast<float>(occlusion * (1 + 0.07 * sand.at<float>(y, x)));
            }
        }
    }
    return image;
}

// A tile whose face lies entirely inside the image, away from its border.
cv::Point pickInnerTile(const Canvas& canvas, const TileGrid& grid, cv::RNG& rng)
{
    std::vector<cv::Point> candidates;
    const double margin = 0.02 * canvas.size;
    for (int j = 0; j < 40; ++j)
        for (int i = 0; i < 40; ++i) {
            bool inside = true;
            for (const cv::Point2d& corner : grid.faceCorners(i, j))
                inside = inside && corner.x > margin && corner.y > margin && corner.x < canvas.size - margin
                    && corner.y < canvas.size - margin;
            if (inside)
                candidates.emplace_back(i, j);
        }
    CV_Assert(!candidates.empty());
    return candidates[static_cast<std::size_t>(rng.uniform(0, static_cast<int>(candidates.size())))];
}

// Jagged polyline: straight segments whose heading jumps randomly but keeps returning
// to the crack's overall direction.
std::vector<cv::Point2d> jaggedPath(cv::RNG& rng, const Canvas& canvas, cv::Point2d start, double heading, double length)
{
    std::vector<cv::Point2d> path {start};
    double travelled = 0, direction = heading;
    while (travelled < length) {
        const double step = uniform(rng, 2.5, 5.5) * canvas.unit();
        direction = heading + 0.5 * (direction - heading) + rng.gaussian(0.45);
        path.push_back(path.back() + cv::Point2d(std::cos(direction), std::sin(direction)) * step);
        travelled += step;
    }
    return path;
}

// A dark branching crack through the glaze.
cv::Mat addCrack(cv::Mat& image, const Canvas& canvas, cv::RNG& rng)
{
    const double heading = uniform(rng, 0.0, 2 * CV_PI);
    const double length = uniform(rng, 0.18, 0.4) * canvas.size;
    const cv::Point2d start
        = randomPoint(rng, canvas, 0.25 * canvas.size) - cv::Point2d(std::cos(heading), std::sin(heading)) * (0.3 * length);
    const std::vector<cv::Point2d> trunk = jaggedPath(rng, canvas, start, heading, length);
    const double width = canvas.strokeWidth(uniform(rng, 1.8, 2.8), 1.2);
    cv::Mat alpha = strokeAlpha(canvas, trunk, width);

    const int branches = rng.uniform(1, 4);
    for (int b = 0; b < branches; ++b) {
        const std::size_t fork = static_cast<std::size_t>(
            rng.uniform(static_cast<int>(trunk.size()) / 5, std::max(2, static_cast<int>(trunk.size()) * 4 / 5)));
        const double side = rng.uniform(0, 2) == 0 ? -1 : 1;
        const std::vector<cv::Point2d> branch
            = jaggedPath(rng, canvas, trunk[std::min(fork, trunk.size() - 1)], heading + side * uniform(rng, 0.5, 1.1),
                         uniform(rng, 0.25, 0.5) * length);
        alpha = cv::max(alpha, strokeAlpha(canvas, branch, std::max(0.7 * width, 1.0 * canvas.finalPixel)));
    }
    multiplyWhere(image, alpha, cv::Scalar::all(uniform(rng, 0.35, 0.5)));
    return alpha;
}

// A corner of a tile broken off: the rough unglazed body shows, edged by the shadow
// of the fracture.
cv::Mat addChip(cv::Mat& image, const Canvas& canvas, const TileGrid& grid, cv::RNG& rng)
{
    const cv::Point tile = pickInnerTile(canvas, grid, rng);
    const int cornerIndex = rng.uniform(0, 4);
    const std::array<cv::Point2d, 4> corners = grid.faceCorners(tile.x, tile.y);
    const std::array<cv::Point2d, 4> grown = grid.faceCorners(tile.x, tile.y, 0.6 * canvas.unit());
    const cv::Point2d corner = corners[static_cast<std::size_t>(cornerIndex)];
    const cv::Point2d next = corners[static_cast<std::size_t>((cornerIndex + 1) % 4)];
    const cv::Point2d previous = corners[static_cast<std::size_t>((cornerIndex + 3) % 4)];
    const cv::Point2d alongNext = (next - corner) / cv::norm(next - corner);
    const cv::Point2d alongPrevious = (previous - corner) / cv::norm(previous - corner);
    const double legNext = uniform(rng, 0.35, 0.6) * grid.pitch;
    const double legPrevious = uniform(rng, 0.35, 0.6) * grid.pitch;

    // Conchoidal fracture: bulges into the tile, with a ragged edge.
    const cv::Point2d from = corner + alongNext * legNext, to = corner + alongPrevious * legPrevious;
    const cv::Point2d inward = (alongNext + alongPrevious) / cv::norm(alongNext + alongPrevious);
    const double bulge = uniform(rng, 0.1, 0.3) * std::min(legNext, legPrevious);
    std::vector<cv::Point2d> fracture;
    constexpr int kFractureVertices = 10;
    for (int k = 0; k <= kFractureVertices; ++k) {
        const double t = static_cast<double>(k) / kFractureVertices;
        const double ragged = (k == 0 || k == kFractureVertices) ? 0 : rng.gaussian(0.05 * legNext);
        fracture.push_back(from + (to - from) * t + inward * (bulge * std::sin(CV_PI * t) + ragged));
    }
    std::vector<cv::Point2d> outline = fracture;
    outline.push_back(grown[static_cast<std::size_t>(cornerIndex)]);
    const cv::Mat alpha = fillAlpha(canvas, outline);

    const cv::Mat roughness = grainNoise(rng, canvas.size, 0.8 * canvas.unit(), 0.8 * canvas.unit());
    cv::Mat body(image.size(), CV_32FC3);
    const cv::Vec3f biscuit(0.70f, 0.78f, 0.86f);
    for (int y = 0; y < body.rows; ++y)
        for (int x = 0; x < body.cols; ++x)
            body.at<cv::Vec3f>(y, x) = biscuit * static_cast<float>(0.8 * (1 + 0.12 * roughness.at<float>(y, x)));
    blendWhere(image, alpha, body);
    const cv::Mat edge = strokeAlpha(canvas, fracture, canvas.strokeWidth(1.4, 1.0));
    multiplyWhere(image, edge, cv::Scalar::all(0.45));
    return cv::max(alpha, edge);
}

// A long, almost straight scratch where the glaze is abraded to a pale matte line.
cv::Mat addScratch(cv::Mat& image, const Canvas& canvas, cv::RNG& rng)
{
    const double length = uniform(rng, 0.25, 0.5) * canvas.size;
    const double heading = uniform(rng, 0.0, 2 * CV_PI);
    const cv::Point2d start
        = randomPoint(rng, canvas, 0.2 * canvas.size) - cv::Point2d(std::cos(heading), std::sin(heading)) * (0.4 * length);
    const std::vector<cv::Point2d> path = smoothCurve(rng, canvas, start, heading, length, 0.006);
    const cv::Mat alpha = strokeAlpha(canvas, path, canvas.strokeWidth(uniform(rng, 2.2, 3.2), 1.2));
    blendWhere(image, alpha * uniform(rng, 0.5, 0.7), cv::Scalar(0.86, 0.88, 0.88));
    return alpha;
}

// Dirt or rust splashed on the wall: a blob and a few droplets.
cv::Mat addStain(cv::Mat& image, const Canvas& canvas, cv::RNG& rng)
{
    const double radius = uniform(rng, 0.04, 0.085) * canvas.size;
    const cv::Point2d center = randomPoint(rng, canvas, 1.5 * radius);
    cv::Mat coverage
        = fillAlpha(canvas, blobOutline(rng, center, radius, 0.35, uniform(rng, 0.8, 1.25), uniform(rng, 0.0, CV_PI)));
    const int droplets = rng.uniform(0, 4);
    for (int d = 0; d < droplets; ++d) {
        const double direction = uniform(rng, 0.0, 2 * CV_PI);
        const cv::Point2d at = center + cv::Point2d(std::cos(direction), std::sin(direction)) * (radius * uniform(rng, 1.3, 1.9));
        coverage = cv::max(coverage, fillAlpha(canvas, blobOutline(rng, at, radius * uniform(rng, 0.2, 0.35), 0.2, 1.0, 0.0)));
    }
    const cv::Mat alpha = blurred(coverage, 0.8 * canvas.unit());
    const cv::Mat density = fractalNoise(rng, canvas.size, 6, 2, 0.5);
    cv::Mat strength(alpha.size(), CV_32F);
    for (int y = 0; y < alpha.rows; ++y)
        for (int x = 0; x < alpha.cols; ++x)
            strength.at<float>(y, x) = std::clamp(alpha.at<float>(y, x) * (0.85f + 0.15f * density.at<float>(y, x)), 0.f, 1.f);
    switch (rng.uniform(0, 3)) {
    case 0: multiplyWhere(image, strength, cv::Scalar(0.40, 0.56, 0.82)); break; // rust
    case 1: multiplyWhere(image, strength, cv::Scalar(0.50, 0.50, 0.52)); break; // grime
    default: blendWhere(image, strength * 0.6, cv::Scalar(0.90, 0.92, 0.92)); break; // lime scale
    }
    return alpha;
}

// One tile from another production batch: its glaze is off in hue and brightness.
cv::Mat addOffShadeTile(cv::Mat& image, const Canvas& canvas, const TileGrid& grid, cv::RNG& rng)
{
    const cv::Point tile = pickInnerTile(canvas, grid, rng);
    const std::array<cv::Point2d, 4> corners = grid.faceCorners(tile.x, tile.y);
    const cv::Mat alpha = fillAlpha(canvas, std::vector<cv::Point2d>(corners.begin(), corners.end()));
    const double hue = uniform(rng, 0.0, 2 * CV_PI);
    const double saturation = uniform(rng, 0.14, 0.22);
    const double brightness = 1 + (rng.uniform(0, 2) == 0 ? -1 : 1) * uniform(rng, 0.08, 0.15);
    multiplyWhere(image, alpha, colourShiftGain(hue, saturation, brightness));
    return alpha;
}

} // namespace

Scene renderTiles(const Canvas& canvas, cv::RNG& sceneRng, const std::string& defectType, cv::RNG& defectRng)
{
    const TileGrid grid = sampleGrid(canvas, sceneRng);
    Scene scene;
    scene.image = renderWall(canvas, grid, sceneRng);
    if (defectType.empty())
        scene.defect = cv::Mat::zeros(scene.image.size(), CV_32F);
    else if (defectType == "crack")
        scene.defect = addCrack(scene.image, canvas, defectRng);
    else if (defectType == "chip")
        scene.defect = addChip(scene.image, canvas, grid, defectRng);
    else if (defectType == "scratch")
        scene.defect = addScratch(scene.image, canvas, defectRng);
    else if (defectType == "stain")
        scene.defect = addStain(scene.image, canvas, defectRng);
    else if (defectType == "color")
        scene.defect = addOffShadeTile(scene.image, canvas, grid, defectRng);
    else
        throw std::invalid_argument("tiles has no defect type '" + defectType + "'");
    return scene;
}

} // namespace ds::synth
