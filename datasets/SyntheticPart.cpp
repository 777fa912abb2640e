// "part": a turned steel flange seen from above on a dark fixture plate: raised hub
// with a keyed bore, six bolt holes, chamfered edges, concentric turning marks and the
// bow-tie highlight of a turned surface. Pose and lighting vary a little per image.
#include "datasets/SyntheticRendering.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ds::synth {

namespace {

constexpr int kBoltHoles = 6;

// Geometry in render pixels, angles in radians (image coordinates, y down).
struct PartLayout {
    cv::Point2d center;
    double rotation = 0;
    double outer = 0, hub = 0, bore = 0, boltCircle = 0, hole = 0;
    double outerChamfer = 0, hubChamfer = 0, holeChamfer = 0, hubShadow = 0;
    double keyWidth = 0, keyDepth = 0;
    double lightAngle = 0; // direction towards the light
    cv::Point2d light; // unit vector towards the light

    double holeAngle(int k) const { return rotation + (k + 0.5) * 2 * CV_PI / kBoltHoles; }
    cv::Point2d holeCenter(int k) const
    {
        return center + cv::Point2d(std::cos(holeAngle(k)), std::sin(holeAngle(k))) * boltCircle;
    }
};

PartLayout sampleLayout(const Canvas& canvas, cv::RNG& rng)
{
    const double n = canvas.size;
    PartLayout layout;
    layout.center = cv::Point2d(0.5 + uniform(rng, -0.02, 0.02), 0.5 + uniform(rng, -0.02, 0.02)) * n;
    layout.rotation = uniform(rng, -4.0, 4.0) * CV_PI / 180;
    layout.outer = 0.40 * n;
    layout.hub = 0.20 * n;
    layout.bore = 0.095 * n;
    layout.boltCircle = 0.30 * n;
    layout.hole = 0.042 * n;
    layout.outerChamfer = 3.0 * canvas.unit();
    layout.hubChamfer = 1.6 * canvas.unit();
    layout.holeChamfer = 1.8 * canvas.unit();
    layout.hubShadow = 3.0 * canvas.unit();
    layout.keyWidth = 0.04 * n;
    layout.keyDepth = 0.028 * n;
    layout.lightAngle = (225 + uniform(rng, -20.0, 20.0)) * CV_PI / 180;
    layout.light = cv::Point2d(std::cos(layout.lightAngle), std::sin(layout.lightAngle));
    return layout;
}

double coverage(double signedInside) // anti-aliased edge: distance inside the shape
{
    return std::clamp(signedInside + 0.5, 0.0, 1.0);
}

// Shading of a chamfer whose surface tilts towards `normal` (unit, image plane).
double chamferShade(cv::Point2d normal, cv::Point2d light)
{
    return 0.8 + 0.6 * normal.dot(light);
}

// Concentric turning marks: a random radial profile of fine grooves plus a few wider
// bands, about unit standard deviation, one value per render pixel of radius.
std::vector<float> turningProfile(const Canvas& canvas, cv::RNG& rng)
{
    const auto bands = [&](double sigma) {
        cv::Mat noise(1, canvas.size, CV_32F);
        fieldRng(rng).fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
        cv::GaussianBlur(noise, noise, cv::Size(0, 0), sigma, 0.1, cv::BORDER_REFLECT);
        cv::Scalar mean, stddev;
        cv::meanStdDev(noise, mean, stddev);
        return cv::Mat((noise - mean[0]) / stddev[0]);
    };
    const cv::Mat fine = bands(0.7 * canvas.unit());
    const cv::Mat wide = bands(3.0 * canvas.unit());
    std::vector<float> profile(static_cast<std::size_t>(canvas.size));
    for (int r = 0; r < canvas.size; ++r)
        profile[static_cast<std::size_t>(r)] = 0.4f * fine.at<float>(0, r) + 0.8f * wide.at<float>(0, r);
    return profile;
}

// The fixture plate with the part's soft cast shadow.
cv::Mat renderBackground(const Canvas& canvas, const PartLayout& layout, cv::RNG& rng)
{
    const int n = canvas.size;
    const cv::Mat mottling = fractalNoise(rng, n, 4, 3, 0.5);
    const cv::Mat grain = grainNoise(rng, n, 0.7 * canvas.unit(), 0.7 * canvas.unit());
    cv::Mat silhouette = cv::Mat::zeros(n, n, CV_32F);
    const cv::Point2d shadowCenter = layout.center - layout.light * (0.016 * n);
    cv::circle(silhouette, cv::Point(cvRound(shadowCenter.x * 16), cvRound(shadowCenter.y * 16)), cvRound(layout.outer * 16),
               cv::Scalar(1.0), cv::FILLED, cv::LINE_AA, 4);
    const cv::Mat shadow = blurred(silhouette, 0.012 * n);

    const cv::Vec3f plate(0.21f, 0.20f, 0.19f);
    cv::Mat background(n, n, CV_32FC3);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            background.at<cv::Vec3f>(y, x) = plate
                * static_cast<float>((1 + 0.05 * mottling.at<float>(y, x)) * (1 + 0.06 * grain.at<float>(y, x))
                                     * (1 - 0.55 * shadow.at<float>(y, x)));
    return background;
}

// Turned steel everywhere inside the outline, as if the part were solid: holes are
// cut out when composing, so a missing hole shows the surface that belongs there.
cv::Mat renderSurface(const Canvas& canvas, const PartLayout& layout, cv::RNG& rng)
{
    const int n = canvas.size;
    const std::vector<float> flangeMarks = turningProfile(canvas, rng);
    const std::vector<float> hubMarks = turningProfile(canvas, rng);
    const cv::Mat mottling = fractalNoise(rng, n, 5, 3, 0.5);
    const cv::Mat grain = grainNoise(rng, n, 0.5 * canvas.unit(), 0.5 * canvas.unit());
    const double flangeGloss = uniform(rng, 0.14, 0.22);
    const double hubGloss = uniform(rng, 0.18, 0.28);
    const cv::Vec3f steel(static_cast<float>(1.0 * (1 + rng.gaussian(0.01))),
                          static_cast<float>(0.985 * (1 + rng.gaussian(0.01))),
                          static_cast<float>(0.95 * (1 + rng.gaussian(0.01))));

    cv::Mat surface = cv::Mat::zeros(n, n, CV_32FC3);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const double dx = x - layout.center.x, dy = y - layout.center.y;
            const double r = std::hypot(dx, dy);
            if (r > layout.outer + 1)
                continue; // never shown
            const std::size_t ring = std::min(static_cast<std::size_t>(r), flangeMarks.size() - 1);
            // Circular grooves reflect the lamp where they run across the light
            // direction: a bright band through the centre towards the light and away.
            const double offAxis = angleBetween(2 * std::atan2(dy, dx), 2 * layout.lightAngle) / 2;
            const bool onHub = r < layout.hub;
            const double width = onHub ? 0.22 : 0.32;
            const double highlight = std::exp(-offAxis * offAxis / (2 * width * width));
            const double value = onHub ? 0.58 * (1 + 0.03 * hubMarks[ring] + hubGloss * highlight)
                                       : 0.50 * (1 + 0.04 * flangeMarks[ring] + flangeGloss * highlight);
            surface.at<cv::Vec3f>(y, x)
                = steel * static_cast<float>(value * (1 + 0.02 * mottling.at<float>(y, x)) * (1 + 0.015 * grain.at<float>(y, x)));
        }
    return surface;
}

// Puts the part together: metal with chamfers and the hub's shadow, holes showing the
// plate far below in shadow. missingHole (or -1) is a bolt hole that was never drilled.
// material receives where metal is visible (CV_32FC1, 0..1).
cv::Mat compose(const PartLayout& layout, const cv::Mat& background, const cv::Mat& surface, int missingHole, cv::Mat& material)
{
    const int n = background.rows;
    cv::Mat image(n, n, CV_32FC3);
    material.create(n, n, CV_32F);
    const double c = std::cos(layout.rotation), s = std::sin(layout.rotation);
    std::vector<cv::Point2d> holeCenters;
    for (int k = 0; k < kBoltHoles; ++k)
        if (k != missingHole)
            holeCenters.push_back(layout.holeCenter(k));
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const cv::Point2d p(x, y);
            const cv::Point2d offset = p - layout.center;
            const double r = std::max(std::hypot(offset.x, offset.y), 1e-6);
            const double disc = coverage(layout.outer - r);
            if (disc <= 0) {
                image.at<cv::Vec3f>(y, x) = background.at<cv::Vec3f>(y, x);
                material.at<float>(y, x) = 0;
                continue;
            }
            const cv::Point2d outward = offset / r;

            // Bore with its keyway (pointing along the part's +y axis), then bolt holes.
            double hole = coverage(layout.bore - r);
            const double keyAcross = c * offset.x + s * offset.y, keyAlong = -s * offset.x + c * offset.y;
            if (keyAlong > 0)
                hole = std::max(
                    hole,
                    coverage(std::min(layout.keyWidth / 2 - std::abs(keyAcross), layout.bore + layout.keyDepth - keyAlong)));
            double shade = 1;
            if (layout.outer - r >= 0 && layout.outer - r < layout.outerChamfer)
                shade *= chamferShade(outward, layout.light);
            if (layout.hub - r >= 0 && layout.hub - r < layout.hubChamfer)
                shade *= chamferShade(outward, layout.light);
            if (r - layout.hub >= 0 && r - layout.hub < layout.hubShadow) // the raised hub shades the flange
                shade *= 1 - 0.35 * std::max(0.0, -outward.dot(layout.light)) * (1 - (r - layout.hub) / layout.hubShadow);
            if (r - layout.bore >= 0 && r - layout.bore < layout.holeChamfer)
                shade *= chamferShade(-outward, layout.light);
            for (const cv::Point2d& holeCenter : holeCenters) {
                const cv::Point2d fromHole = p - holeCenter;
                const double d = std::max(std::hypot(fromHole.x, fromHole.y), 1e-6);
                if (d > layout.hole + layout.holeChamfer + 1)
                    continue;
                hole = std::max(hole, coverage(layout.hole - d));
                if (d - layout.hole >= 0 && d - layout.hole < layout.holeChamfer)
                    shade *= chamferShade(-fromHole / d, layout.light);
            }
            const cv::Vec3f& plate = background.at<cv::Vec3f>(y, x);
            const cv::Vec3f metal = surface.at<cv::Vec3f>(y, x) * static_cast<float>(shade);
            const cv::Vec3f inside = metal * static_cast<float>(1 - hole) + plate * static_cast<float>(0.3 * hole);
            image.at<cv::Vec3f>(y, x) = plate * static_cast<float>(1 - disc) + inside * static_cast<float>(disc);
            material.at<float>(y, x) = static_cast<float>(disc * (1 - hole));
        }
    return image;
}

cv::Mat discAlpha(const Canvas& canvas, cv::Point2d center, double radius)
{
    cv::Mat alpha = cv::Mat::zeros(canvas.size, canvas.size, CV_32F);
    cv::circle(alpha, cv::Point(cvRound(center.x * 16), cvRound(center.y * 16)), cvRound(radius * 16), cv::Scalar(1.0),
               cv::FILLED, cv::LINE_AA, 4);
    return alpha;
}

// A point on the flange face at least `clearance` away from its edges and bolt holes.
cv::Point2d pointOnFlange(cv::RNG& rng, const PartLayout& layout, double clearance)
{
    cv::Point2d p;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const double r = uniform(rng, layout.hub + layout.hubShadow + clearance, layout.outer - layout.outerChamfer - clearance);
        const double angle = uniform(rng, 0.0, 2 * CV_PI);
        p = layout.center + cv::Point2d(std::cos(angle), std::sin(angle)) * r;
        bool clear = true;
        for (int k = 0; k < kBoltHoles; ++k)
            clear = clear && cv::norm(p - layout.holeCenter(k)) > layout.hole + layout.holeChamfer + clearance;
        if (clear)
            return p;
    }
    throw std::logic_error("no room on the flange for a defect"); // the geometry always leaves room
}

// A scratch: a V-groove whose wall facing the light is bright and whose other wall is
// dark, so it shows on highlights and on dull metal alike. It runs roughly along the
// flange and is interrupted where it crosses a hole.
cv::Mat addScratch(cv::Mat& image, const cv::Mat& material, const Canvas& canvas, const PartLayout& layout, cv::RNG& rng)
{
    const cv::Point2d middle = pointOnFlange(rng, layout, 0.03 * canvas.size);
    const cv::Point2d radial = middle - layout.center;
    const double heading = std::atan2(radial.y, radial.x) + CV_PI / 2 + uniform(rng, -35.0, 35.0) * CV_PI / 180;
    const double length = uniform(rng, 0.18, 0.32) * canvas.size;
    const cv::Point2d start = middle - cv::Point2d(std::cos(heading), std::sin(heading)) * (0.5 * length);
    const std::vector<cv::Point2d> path = smoothCurve(rng, canvas, start, heading, length, 0.012);
    const double width = canvas.strokeWidth(uniform(rng, 2.2, 3.2), 1.2);
    const auto wall = [&](double side) {
        std::vector<cv::Point2d> shifted = path;
        for (cv::Point2d& p : shifted)
            p += layout.light * (side * 0.3 * width);
        return cv::Mat(strokeAlpha(canvas, shifted, width).mul(material));
    };
    const cv::Mat shadowed = wall(1), lit = wall(-1);
    multiplyWhere(image, shadowed, cv::Scalar::all(uniform(rng, 0.4, 0.5)));
    blendWhere(image, lit * uniform(rng, 0.65, 0.85), cv::Scalar(0.95, 0.95, 0.94));
    return cv::max(shadowed, lit);
}

// A dent: a shallow round depression, dark on the side facing the light and bright
// on the other, its turning marks flattened.
cv::Mat addDent(cv::Mat& image, const Canvas& canvas, const PartLayout& layout, cv::RNG& rng)
{
    const double radius = uniform(rng, 0.04, 0.07) * canvas.size;
    const cv::Point2d center = pointOnFlange(rng, layout, radius);
    const double depth = uniform(rng, 0.8, 1.0);
    const cv::Mat smooth = blurred(image, 1.5 * canvas.unit());
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) {
            const cv::Point2d q = (cv::Point2d(x, y) - center) / radius;
            const double d2 = q.dot(q);
            if (d2 >= 1)
                continue;
            // Lambert shading of the depression's wall, whose normal tilts to its centre.
            const double wall = 1 - d2;
            const double shading = 1 - depth * 2 * wall * q.dot(layout.light);
            cv::Vec3f& pixel = image.at<cv::Vec3f>(y, x);
            pixel += (smooth.at<cv::Vec3f>(y, x) - pixel) * static_cast<float>(0.8 * wall);
            pixel *= static_cast<float>(std::max(0.2, shading));
        }
    return discAlpha(canvas, center, radius);
}

// Oil or rust on the flange face.
cv::Mat addContamination(cv::Mat& image, const cv::Mat& material, const Canvas& canvas, const PartLayout& layout, cv::RNG& rng)
{
    const double radius = uniform(rng, 0.045, 0.075) * canvas.size;
    const cv::Point2d center = pointOnFlange(rng, layout, 0.8 * radius);
    const cv::Mat alpha
        = blurred(fillAlpha(canvas, blobOutline(rng, center, radius, 0.4, uniform(rng, 0.75, 1.35), uniform(rng, 0.0, CV_PI))),
                  0.8 * canvas.unit())
              .mul(material);
    const cv::Mat density = fractalNoise(rng, canvas.size, 8, 2, 0.5);
    cv::Mat strength(alpha.size(), CV_32F);
    for (int y = 0; y < alpha.rows; ++y)
        for (int x = 0; x < alpha.cols; ++x)
            strength.at<float>(y, x) = std::clamp(alpha.at<float>(y, x) * (0.8f + 0.2f * density.at<float>(y, x)), 0.f, 1.f);
    const bool rust = rng.uniform(0, 2) == 0;
    multiplyWhere(image, strength, rust ? cv::Scalar(0.32, 0.50, 0.80) : cv::Scalar(0.36, 0.40, 0.46));
    return alpha;
}

// A bolt hole that was only centre-drilled (compose() already left it out): a small
// conical dimple where the hole should be, dark on the side facing the light. The
// defect is the whole area the hole should have taken.
cv::Mat addCentreDrillMark(cv::Mat& image, const Canvas& canvas, const PartLayout& layout, int missingHole, cv::RNG& rng)
{
    const cv::Point2d center = layout.holeCenter(missingHole);
    const double radius = uniform(rng, 0.3, 0.45) * layout.hole;
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) {
            const cv::Point2d q = cv::Point2d(x, y) - center;
            const double d = std::hypot(q.x, q.y);
            const double inside = coverage(radius - d);
            if (inside <= 0)
                continue;
            // A cone's wall has the same slope everywhere, tilted towards its apex.
            const double shading = 0.75 * (1 - 0.6 * q.dot(layout.light) / std::max(d, 1e-6));
            image.at<cv::Vec3f>(y, x) *= static_cast<float>(1 + inside * (shading - 1));
        }
    return discAlpha(canvas, center, layout.hole + layout.holeChamfer + 0.5 * canvas.unit());
}

// A piece of the rim broken off between two bolt holes, leaving a bright fracture face.
cv::Mat addChip(cv::Mat& image, const cv::Mat& background, const Canvas& canvas, const PartLayout& layout, cv::RNG& rng)
{
    const double angle
        = layout.holeAngle(rng.uniform(0, kBoltHoles)) + CV_PI / kBoltHoles + uniform(rng, -8.0, 8.0) * CV_PI / 180;
    const double radius = uniform(rng, 0.045, 0.07) * canvas.size;
    const cv::Point2d center = layout.center + cv::Point2d(std::cos(angle), std::sin(angle)) * (layout.outer - 0.25 * radius);
    const std::vector<cv::Point2d> outline
        = blobOutline(rng, center, radius, 0.3, uniform(rng, 0.8, 1.25), uniform(rng, 0.0, CV_PI));
    const cv::Mat disc = discAlpha(canvas, layout.center, layout.outer);
    const cv::Mat bite = fillAlpha(canvas, outline);
    const cv::Mat removed = bite.mul(disc);
    blendWhere(image, removed, background);
    const cv::Mat fracture = strokeAlpha(canvas, outline, canvas.strokeWidth(1.4, 1.0)).mul(disc).mul(1.0 - bite);
    multiplyWhere(image, fracture, cv::Scalar::all(1.45));
    return cv::max(removed, fracture);
}

} // namespace

Scene renderPart(const Canvas& canvas, cv::RNG& sceneRng, const std::string& defectType, cv::RNG& defectRng)
{
    const PartLayout layout = sampleLayout(canvas, sceneRng);
    const cv::Mat background = renderBackground(canvas, layout, sceneRng);
    const cv::Mat surface = renderSurface(canvas, layout, sceneRng);

    const int missingHole = defectType == "missing_hole" ? defectRng.uniform(0, kBoltHoles) : -1;
    Scene scene;
    cv::Mat material;
    scene.image = compose(layout, background, surface, missingHole, material);
    if (defectType.empty())
        scene.defect = cv::Mat::zeros(scene.image.size(), CV_32F);
    else if (defectType == "missing_hole")
        scene.defect = addCentreDrillMark(scene.image, canvas, layout, missingHole, defectRng);
    else if (defectType == "scratch")
        scene.defect = addScratch(scene.image, material, canvas, layout, defectRng);
    else if (defectType == "dent")
        scene.defect = addDent(scene.image, canvas, layout, defectRng);
    else if (defectType == "contamination")
        scene.defect = addContamination(scene.image, material, canvas, layout, defectRng);
    else if (defectType == "chip")
        scene.defect = addChip(scene.image, background, canvas, layout, defectRng);
    else
        throw std::invalid_argument("part has no defect type '" + defectType + "'");
    return scene;
}

} // namespace ds::synth
