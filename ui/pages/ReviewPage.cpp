#include "ui/pages/ReviewPage.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/review/GroundTruth.h"
#include "core/review/ReviewQueue.h"
#include "ui/ExportResultsDialog.h"
#include "ui/ImagePane.h"
#include "ui/ReviewPanel.h"
#include "ui/MenuActions.h"
#include "ui/Wording.h"
#include "ui/jobs/BackgroundTask.h"
#include "ui/jobs/WorkbenchJobs.h"
#include "ui/models/ModelsModel.h"
#include "ui/models/ResultsFilterProxy.h"
#include "ui/models/ResultsPane.h"
#include "ui/plots/ThresholdPlots.h"
#include "ui/review/DefectTypesDialog.h"
#include "ui/review/MaskEditor.h"
#include "ui/review/ReviewHistoryView.h"
#include "ui/review/Reviewer.h"
#include "ui/review/RunMetricsLabel.h"
#include "ui/review/ThresholdBar.h"
#include "ui/widgets/ImageView.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include "ui/FileDialogs.h"
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QSlider>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace ds::ui {

namespace {

constexpr int kDefaultOverlayOpacity = 45;

} // namespace

ReviewPage::ReviewPage(const ModelsModel* models, QWidget* window)
    : QObject(window)
    , models_(models)
    , window_(window)
{
    results_ = new ResultsPane;
    connect(results_, &ResultsPane::currentImageChanged, this, &ReviewPage::currentRowChanged);
    reviewTab_ = createReviewTab();
    historyView_ = new ReviewHistoryView([this](std::int64_t modelId) {
        const ds::ModelSummary* summary = models_->summary(modelId);
        return summary ? fromStd(summary->model.name) : QStringLiteral("model %1").arg(modelId);
    });
    imageLoad_ = new BackgroundTask(this);
    connect(imageLoad_, &BackgroundTask::failed, this,
            [this](const QString& reason) { showPlaceholder(QStringLiteral("Cannot show this image:\n") + reason); });
    thresholdSaveTimer_ = new QTimer(this);
    thresholdSaveTimer_->setSingleShot(true);
    thresholdSaveTimer_->setInterval(400);
    connect(thresholdSaveTimer_, &QTimer::timeout, this, &ReviewPage::saveThresholdNow);
}

ReviewPage::~ReviewPage()
{
    saveThresholdNow();
}

QWidget* ReviewPage::createReviewTab()
{
    imagePane_ = new ImagePane(QStringLiteral("reviewView"));
    imagePane_->setObjectName(QStringLiteral("imagePane"));
    showPlaceholder(QStringLiteral("Open a project, train a model and score the test images to see results here."));
    connect(imagePane_, &ImagePane::maskEdited, this, &ReviewPage::saveMaskEdit);

    thresholdBar_ = new ThresholdBar;
    connect(thresholdBar_, &ThresholdBar::moved, this, [this](double threshold) { userMovedThreshold(threshold, false); });
    connect(thresholdBar_, &ThresholdBar::resetRequested, this, &ReviewPage::resetThreshold);
    thresholdPlots_ = new ThresholdPlots;
    thresholdPlots_->setObjectName(QStringLiteral("thresholdPlots"));
    connect(thresholdPlots_, &ThresholdPlots::thresholdChanged, this,
            [this](double threshold) { userMovedThreshold(threshold, true); });

    reviewPanel_ = new ReviewPanel;
    reviewPanel_->setObjectName(QStringLiteral("reviewPanel"));
    connect(reviewPanel_, &ReviewPanel::verdictGiven, this, &ReviewPage::giveVerdict);
    connect(reviewPanel_, &ReviewPanel::orderChanged, this, [this](ReviewPanel::Order order) {
        results_->setNearestThresholdFirst(order == ReviewPanel::Order::NearestThreshold);
        if (project_) {
            try {
                project_->setSetting("view/reviewOrder", std::to_string(int(order)));
            } catch (const std::exception& e) {
                Q_EMIT status(QStringLiteral("Could not save the review order: ") + fromStd(e.what()), 10000);
            }
        }
    });
    // Once the order is chosen, the keys go back to reviewing (N would pick no entry).
    connect(reviewPanel_->orderBox(), &QComboBox::activated, this, [this] { results_->view()->setFocus(Qt::OtherFocusReason); });

    metrics_ = new RunMetricsLabel;

    auto* imageArea = new QWidget;
    auto* imageLayout = new QVBoxLayout(imageArea);
    imageLayout->setContentsMargins(4, 4, 4, 0);
    imageLayout->addWidget(imagePane_, 1);
    imageLayout->addWidget(reviewPanel_);
    imageLayout->addWidget(thresholdBar_);
    imageLayout->addWidget(metrics_);

    auto* review = new QSplitter(Qt::Vertical);
    review->addWidget(imageArea);
    review->addWidget(thresholdPlots_);
    review->setStretchFactor(0, 3);
    review->setStretchFactor(1, 1);
    review->setSizes({500, 230});
    return review;
}

QAction* ReviewPage::addKeyAction(QMenu* menu, const QString& text, const char* objectName, const QKeySequence& key)
{
    QAction* action = menu ? menu->addAction(text) : new QAction(text, this);
    action->setObjectName(QString::fromLatin1(objectName));
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    results_->view()->addAction(action);
    imagePane_->view()->addAction(action);
    return action;
}

void ReviewPage::addNavigationActions(QMenu* menu)
{
    QAction* next = addKeyAction(menu, QStringLiteral("&Next Image"), "nextImageAction", QKeySequence(Qt::Key_N));
    next->setShortcuts({QKeySequence(Qt::Key_N), QKeySequence(Qt::Key_PageDown)});
    connect(next, &QAction::triggered, this, &ReviewPage::nextImage);
    QAction* previous = addKeyAction(menu, QStringLiteral("&Previous Image"), "previousImageAction", QKeySequence(Qt::Key_P));
    previous->setShortcuts({QKeySequence(Qt::Key_P), QKeySequence(Qt::Key_PageUp)});
    connect(previous, &QAction::triggered, this, &ReviewPage::previousImage);
    connect(addKeyAction(nullptr, {}, "nextImageArrow", QKeySequence(Qt::Key_Right)), &QAction::triggered, this,
            &ReviewPage::nextImage);
    connect(addKeyAction(nullptr, {}, "previousImageArrow", QKeySequence(Qt::Key_Left)), &QAction::triggered, this,
            &ReviewPage::previousImage);
}

void ReviewPage::addReviewActions(QMenu* menu)
{
    const auto verdictAction = [this, menu](const QString& text, Qt::Key key, ds::Verdict verdict, const char* name) {
        QAction* action = addKeyAction(menu, text, name, QKeySequence(key));
        connect(action, &QAction::triggered, this, [this, verdict] { giveVerdict(verdict); });
        verdictActions_ << action;
    };
    verdictAction(QStringLiteral("Mark &Defect"), Qt::Key_D, ds::Verdict::Defect, "defectAction");
    verdictAction(QStringLiteral("Mark &Good"), Qt::Key_G, ds::Verdict::Good, "goodAction");
    verdictAction(QStringLiteral("Mark &Unsure"), Qt::Key_U, ds::Verdict::Unsure, "unsureAction");
    updateVerdictActions();
    menu->addSeparator();
    QAction* overlay = addKeyAction(menu, QStringLiteral("Toggle &Overlay"), "toggleOverlayAction", QKeySequence(Qt::Key_O));
    connect(overlay, &QAction::triggered, this, &ReviewPage::toggleOverlay);
    menu->addSeparator();
    QAction* editMask = addKeyAction(menu, QStringLiteral("Edit &Mask"), "editMaskAction", QKeySequence(Qt::Key_M));
    editMask->setStatusTip(
        QStringLiteral("Paint the true defect region: brush, eraser, polygon, fill, accept the predicted region"));
    editMask->setCheckable(true);
    connect(editMask, &QAction::toggled, imagePane_, &ImagePane::setMaskEditingEnabled);
    defectTypesAction_ = addMenuAction(menu, QStringLiteral("Defect &Types…"), "defectTypesAction");
    connect(defectTypesAction_, &QAction::triggered, this, &ReviewPage::defectTypesDialog);
    connect(addMenuAction(menu, QStringLiteral("&Reviewer Name…"), "reviewerNameAction"), &QAction::triggered, this,
            [this] { askReviewerName(window_); });
}

void ReviewPage::addExportActions(QMenu* menu)
{
    QAction* results
        = addMenuAction(menu, QStringLiteral("&Export Results…"), "exportResultsAction", QKeySequence(Qt::CTRL | Qt::Key_E),
                        QStringLiteral("A CSV row per image (score, model and human verdicts, defect types) and optional PNGs"));
    connect(results, &QAction::triggered, this, &ReviewPage::exportResultsDialog);
    QAction* report = addMenuAction(
        menu, QStringLiteral("Export &Report…"), "exportReportAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
        QStringLiteral("A PDF or HTML report for stakeholders: metrics, plots, flagged images, reviews, comparison"));
    connect(report, &QAction::triggered, this, &ReviewPage::exportReportDialog);
    exportActions_ = {results, report};
}

void ReviewPage::updateActions(bool idle)
{
    defectTypesAction_->setEnabled(project_ && idle);
    for (QAction* action : exportActions_)
        action->setEnabled(project_ && idle && runId_ && !scoringModelId_);
    updateVerdictActions();
}

void ReviewPage::exportResultsDialog()
{
    if (!runId_)
        return;
    const QFileInfo project(projectPath_);
    ExportResultsDialog dialog(
        project.absolutePath() + QLatin1Char('/') + project.completeBaseName() + QStringLiteral("-results.csv"), window_);
    if (dialog.exec() == QDialog::Accepted)
        exportResults(dialog.options());
}

void ReviewPage::exportReportDialog()
{
    if (!runId_)
        return;
    const QFileInfo project(projectPath_);
    QString path
        = askSaveFileName(window_, QStringLiteral("Export Report"),
                          project.absolutePath() + QLatin1Char('/') + project.completeBaseName() + QStringLiteral("-report.pdf"),
                          QStringLiteral("PDF (*.pdf);;HTML (*.html)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive)
        && !path.endsWith(QStringLiteral(".html"), Qt::CaseInsensitive))
        path += QStringLiteral(".pdf");
    exportReport(path);
}

void ReviewPage::exportResults(const ds::ResultsExportOptions& options)
{
    if (runId_ && !scoringModelId_)
        Q_EMIT jobRequested(QStringLiteral("Exporting results"),
                            jobs::exportResults(projectPath_, runId_, currentThreshold(), options));
}

void ReviewPage::exportReport(const QString& path)
{
    if (!runId_ || !runModelId_ || scoringModelId_)
        return;
    saveThresholdNow(); // the report judges at the threshold shown
    Q_EMIT jobRequested(QStringLiteral("Writing report"), jobs::writeReport(projectPath_, runModelId_, currentThreshold(), path));
}

void ReviewPage::defectTypesDialog()
{
    if (!project_)
        return;
    DefectTypesDialog dialog(*project_, window_);
    const DefectTypesDialog::Edits edits = dialog.editTypes();
    if (!edits.changed)
        return;
    if (edits.removedAny)
        imagePane_->maskEditor()->forgetHistory();
    // A renamed type renames the labels that used it; a deleted one turned its regions untyped.
    try {
        imagePane_->setDefectTypes(project_->defectTypes());
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Defect Types"), QStringLiteral("Could not read the defect types."),
                       fromStd(e.what()));
    }
    reload();
}

void ReviewPage::updateVerdictActions()
{
    for (QAction* verdict : verdictActions_)
        verdict->setEnabled(project_ && imageId_ && runId_ && !scoringModelId_);
}

QTableView* ReviewPage::resultsView() const
{
    return results_->view();
}

ResultsFilterProxy* ReviewPage::resultsProxy() const
{
    return results_->proxy();
}

ResultsModel* ReviewPage::resultsModel() const
{
    return results_->model();
}

QComboBox* ReviewPage::showFilter() const
{
    return results_->showFilter();
}

QComboBox* ReviewPage::labelFilter() const
{
    return results_->labelFilter();
}

QSlider* ReviewPage::thresholdSlider() const
{
    return thresholdBar_->slider();
}

QLabel* ReviewPage::metricsLabel() const
{
    return metrics_;
}

void ReviewPage::setProject(ds::ProjectFile* project, const QString& path)
{
    saveThresholdNow();
    results_->forgetThumbnails();
    imagePane_->maskEditor()->forgetHistory(); // image ids mean other images in another project
    project_ = project;
    projectPath_ = path;
    if (project_) {
        try {
            imagePane_->setDefectTypes(project_->defectTypes());
            // The review order the user last chose for this project.
            if (const auto stored = project_->setting("view/reviewOrder"))
                setReviewOrder(fromStd(*stored).toInt());
        } catch (const std::exception& e) {
            Q_EMIT message(true, QStringLiteral("Open Project"), QStringLiteral("Could not read the project's review settings."),
                           fromStd(e.what()));
        }
    }
    showModel(0);
}

void ReviewPage::clearRun()
{
    imageLoad_->cancel();
    runId_ = 0;
    runModelId_ = 0;
    imageId_ = 0;
    reviewPanel_->clearImage(); // nothing of the image shown before stays on the review bar
    images_.clear();
    reviews_.clear();
}

void ReviewPage::showModel(std::int64_t modelId)
{
    if (!saveThresholdNow()) // the previous model's, before runModelId_ changes
        Q_EMIT message(true, QStringLiteral("Threshold"),
                       QStringLiteral("The threshold you chose for the previous model could not be saved."), {});
    clearRun();
    modelId_ = modelId;
    std::vector<ResultsModel::Row> rows;
    double threshold = 0.0;
    QString runText = modelId ? QStringLiteral("Not scored yet: use Model → Score Test Images (Ctrl+R).")
                              : QStringLiteral("No model selected.");
    const ds::ModelSummary* summary = models_->summary(modelId);
    if (project_ && summary && summary->latestRun) {
        try {
            readImages();
            runId_ = summary->latestRun->id;
            runThreshold_ = summary->latestRun->threshold;
            runModelId_ = modelId;
            threshold = summary->threshold;
            for (const ds::ResultRecord& result : project_->results(runId_, ds::ProjectFile::Heatmaps::Skip))
                rows.push_back(resultRow(result.imageId, result.score));
            runText = QStringLiteral("Run %1 · %2 UTC · %3 images")
                          .arg(runId_)
                          .arg(readableUtc(summary->latestRun->createdAt))
                          .arg(rows.size());
        } catch (const std::exception& e) {
            Q_EMIT message(true, QStringLiteral("Results"), QStringLiteral("Could not read the results."), fromStd(e.what()));
            rows.clear();
            clearRun();
        }
    }
    double low = 0.0, high = 1.0;
    if (!rows.empty()) {
        const auto [lowest, highest]
            = std::minmax_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.score < b.score; });
        low = lowest->score;
        high = highest->score;
    }
    thresholdBar_->setScoreRange(low, high, threshold);
    // The heatmap's colours sit around the run's own threshold whatever the user sets, so
    // moving the threshold moves the outlines, not the colours.
    imagePane_->setColourScale(runId_ ? std::optional(ds::colourScaleAround(runThreshold_)) : std::nullopt);
    results_->setRunText(runText);
    results_->setRows(std::move(rows), threshold, imagePaths());
    updateThresholdPlots();
    updateReviewProgress();
    metrics_->setRun(projectPath_, runId_);
    thresholdBar_->setAdjustable(runId_ != 0);
    thresholdPlots_->setEnabled(runId_ != 0);
    applyThreshold(threshold, true); // exactly this value, not the slider's rounding
    if (!runId_)
        thresholdBar_->clear();
    thresholdDirty_ = false;
    if (results_->proxy()->rowCount() > 0) {
        results_->selectFirst();
    } else {
        showPlaceholder(modelId ? runText : QStringLiteral("Select a model to see its results."));
    }
    updateVerdictActions();
    Q_EMIT stateChanged();
}

void ReviewPage::reload()
{
    const std::int64_t shown = imageId_;
    showModel(modelId_);
    if (shown)
        selectImage(shown);
}

bool ReviewPage::beginScoring(std::int64_t modelId, double threshold)
{
    saveThresholdNow();
    try {
        readImages(); // including any added since the run shown was loaded
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Score Test Images"), QStringLiteral("Could not read the project."),
                       fromStd(e.what()));
        return false;
    }
    // Rows appear as they are scored, judged at the threshold the user chose for this model;
    // the finished run then replaces them. The threshold controls wait until the run is
    // complete, so nothing mixes two runs.
    imageLoad_->cancel();
    results_->setRows({}, threshold, {});
    updateThresholdPlots();
    runId_ = 0;
    runModelId_ = 0;
    imageId_ = 0;
    scoringModelId_ = modelId;
    reviewPanel_->clearImage();
    thresholdBar_->setAdjustable(false);
    thresholdPlots_->setEnabled(false);
    showPlaceholder(QStringLiteral("Scoring…"));
    results_->setRunText(QStringLiteral("Scoring…"));
    metrics_->setRun(projectPath_, 0);
    updateVerdictActions();
    Q_EMIT stateChanged();
    return true;
}

void ReviewPage::appendScoredImage(std::int64_t runId, std::int64_t imageId, double score)
{
    if (!scoringModelId_)
        return; // the job ended first: its finished run is shown instead
    runId_ = runId; // each result is committed, so its heatmap can be shown already
    results_->appendRow(resultRow(imageId, score), images_.value(imageId).path);
    results_->setRunText(QStringLiteral("Scoring… %1 images so far").arg(results_->model()->rowCount()));
}

void ReviewPage::readImages()
{
    images_.clear();
    reviews_ = project_->latestReviews();
    const std::map<std::int64_t, ds::ImageTruth> truth = ds::effectiveTruth(*project_);
    for (const ds::ImageRecord& image : project_->images()) {
        const QFileInfo file(fromStd(image.path));
        ImageInfo info {file.dir().dirName() + QLatin1Char('/') + file.fileName(), file.filePath(), fromStd(image.label), {}, {}};
        if (const auto review = reviews_.find(image.id); review != reviews_.end())
            info.review = QString::fromLatin1(ds::verdictName(review->second.verdict));
        if (const auto known = truth.find(image.id); known != truth.end()) {
            info.truth = known->second.defective;
            info.truthFromReviewer = known->second.fromReviewer;
        }
        images_.insert(image.id, std::move(info));
    }
}

QHash<std::int64_t, QString> ReviewPage::imagePaths() const
{
    QHash<std::int64_t, QString> paths;
    for (auto image = images_.begin(); image != images_.end(); ++image)
        paths.insert(image.key(), image->path);
    return paths;
}

ResultsModel::Row ReviewPage::resultRow(std::int64_t imageId, double score) const
{
    const ImageInfo image = images_.value(imageId);
    return {imageId, image.fileName, image.label, score, image.review, image.truth, image.truthFromReviewer};
}

void ReviewPage::updateThresholdPlots()
{
    std::vector<float> scores;
    std::vector<int> labels;
    int known = 0, fromReviewers = 0;
    for (const ResultsModel::Row& row : results_->model()->rows()) {
        scores.push_back(float(row.score));
        labels.push_back(row.truth ? int(*row.truth) : -1);
        known += row.truth.has_value();
        fromReviewers += row.truth.has_value() && row.truthFromReviewer;
    }
    thresholdPlots_->setScores(std::move(scores), std::move(labels));
    const int unknown = int(results_->model()->rows().size()) - known;
    thresholdPlots_->setLabelNote(QStringLiteral("On %1 labels, %2 from reviewers%3")
                                      .arg(known)
                                      .arg(fromReviewers)
                                      .arg(unknown ? QStringLiteral("; %1 unlabelled").arg(unknown) : QString()));
}

double ReviewPage::currentThreshold() const
{
    return results_->model()->threshold();
}

void ReviewPage::userMovedThreshold(double threshold, bool moveSlider)
{
    if (runId_ == 0 || scoringModelId_)
        return;
    applyThreshold(threshold, moveSlider);
    thresholdDirty_ = true;
    thresholdSaveTimer_->start();
    Q_EMIT thresholdChanged(runModelId_, threshold);
}

void ReviewPage::resetThreshold()
{
    userMovedThreshold(runThreshold_, true);
}

void ReviewPage::applyThreshold(double threshold, bool moveSlider)
{
    thresholdPlots_->setThreshold(threshold);
    results_->setThreshold(threshold);
    if (runId_)
        thresholdBar_->showThreshold(threshold, results_->model()->defectCount(), moveSlider);
    imagePane_->setThreshold(threshold);
    if (imageId_) {
        imagePane_->setCaption(results_->currentCaption());
        showReviewState();
    }
}

bool ReviewPage::saveThresholdNow()
{
    thresholdSaveTimer_->stop();
    if (!thresholdDirty_ || !project_ || !runModelId_)
        return true;
    try {
        project_->setChosenThreshold(runModelId_, currentThreshold());
        thresholdDirty_ = false;
        return true;
    } catch (const std::exception& e) {
        // E.g. another writer held the file too long: try again shortly.
        Q_EMIT status(QStringLiteral("Could not save the threshold yet: ") + fromStd(e.what()), 10000);
        thresholdSaveTimer_->start();
        return false;
    }
}

void ReviewPage::dropPendingThreshold(std::int64_t modelId)
{
    if (runModelId_ != modelId)
        return;
    thresholdSaveTimer_->stop();
    thresholdDirty_ = false;
}

void ReviewPage::selectImage(std::int64_t imageId)
{
    results_->selectImage(imageId);
}

void ReviewPage::nextImage()
{
    results_->next();
}

void ReviewPage::previousImage()
{
    results_->previous();
}

void ReviewPage::toggleOverlay()
{
    // Back and forth between no heatmap and the opacity the user had.
    QSlider* opacity = imagePane_->opacitySlider();
    if (opacity->value() > 0) {
        opacity->setProperty("restoreValue", opacity->value());
        opacity->setValue(0);
    } else {
        const QVariant restore = opacity->property("restoreValue");
        opacity->setValue(restore.isValid() ? restore.toInt() : kDefaultOverlayOpacity);
    }
}

void ReviewPage::currentRowChanged()
{
    imageId_ = results_->currentImageId();
    showHistory();
    updateVerdictActions();
    Q_EMIT stateChanged();
    if (!imageId_ || !project_) {
        imageLoad_->cancel();
        showPlaceholder(QString());
        reviewPanel_->clearImage();
        return;
    }
    showReviewState();
    // Decoding a large image takes tens of milliseconds: on the worker, so stepping through
    // the queue stays fluid; the pane shows the image once it is ready.
    const std::int64_t imageId = imageId_;
    imageLoad_->start([this, project = projectPath_.toStdString(), runId = runId_,
                       imageId](ds::JobContext& job, const BackgroundTask::Post&) -> BackgroundTask::Apply {
        const ds::ProjectFile file = ds::ProjectFile::openForReading(project);
        const std::optional<ds::ImageRecord> record = file.image(imageId);
        if (!record)
            throw ds::Error("the image is no longer in the project");
        cv::Mat image = ds::loadImageRgb(record->path);
        job.throwIfCancelled();
        cv::Mat heatmap = file.heatmap(runId, imageId);
        cv::Mat mask = file.mask(imageId);
        return [this, image, heatmap, mask, imageId] {
            // The caption follows the threshold, which may have moved while decoding.
            imagePane_->showImage(image, heatmap, mask, results_->currentCaption(), imageId);
            shownImageId_ = imageId;
        };
    });
}

ds::ReviewContext ReviewPage::reviewContext() const
{
    ds::ReviewContext context;
    if (runModelId_) {
        context.modelId = runModelId_;
        context.runId = runId_;
        context.threshold = currentThreshold();
    }
    return context;
}

void ReviewPage::giveVerdict(ds::Verdict verdict)
{
    if (!project_ || !imageId_ || !runId_ || scoringModelId_)
        return;
    ds::ReviewRecord review;
    review.imageId = imageId_;
    review.verdict = verdict;
    review.reviewer = reviewerName().toStdString();
    review.context = reviewContext();
    // The next image to review, decided before the row may leave a filtered view.
    const std::int64_t next = results_->nextImageId();
    try {
        project_->addReview(review);
        readImages(); // the truth follows the new verdict
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Review"), QStringLiteral("Could not record the verdict."), fromStd(e.what()));
        return;
    }
    const std::int64_t reviewed = imageId_;
    const ImageInfo image = images_.value(reviewed);
    results_->model()->setReview(reviewed, image.review, image.truth, image.truthFromReviewer);
    updateThresholdPlots();
    updateReviewProgress();
    metrics_->schedule();
    Q_EMIT status(
        QStringLiteral("%1 marked %2 by %3").arg(image.fileName, QString::fromLatin1(ds::verdictName(verdict)), reviewerName()),
        4000);
    if (next)
        selectImage(next);
    else if (imageId_ == reviewed) { // the last one: show its new verdict, no need to reload the image
        showReviewState();
        showHistory();
    }
}

std::vector<std::int64_t> ReviewPage::reviewedGoodTestImages() const
{
    std::vector<std::int64_t> good;
    if (!project_)
        return good;
    for (const ds::ImageRecord& image : project_->images(ds::Split::Test)) {
        const auto review = reviews_.find(image.id);
        if (review != reviews_.end() && review->second.verdict == ds::Verdict::Good)
            good.push_back(image.id);
    }
    return good;
}

void ReviewPage::showPlaceholder(const QString& text)
{
    imagePane_->setPlaceholder(text);
    shownImageId_ = 0;
}

void ReviewPage::saveMaskEdit(const cv::Mat& mask, const QString& action)
{
    if (!project_ || !shownImageId_ || revertingMaskEdit_)
        return; // reverting: the pane is going back to what the project holds
    ds::MaskEditRecord edit;
    edit.imageId = shownImageId_; // the image edited, even when the next one is being decoded
    edit.reviewer = reviewerName().toStdString();
    edit.context = reviewContext();
    edit.action = action.toStdString();
    try {
        project_->saveMaskEdit(edit, mask);
    } catch (const std::exception& e) {
        // The pane must show what the project holds: step back over the edit that was not
        // saved (it stays redoable, so the work can be tried again).
        revertingMaskEdit_ = true;
        if (QUndoStack* stack = imagePane_->undoStack()) {
            if (action.startsWith(QStringLiteral("undo ")))
                stack->redo();
            else
                stack->undo();
        }
        revertingMaskEdit_ = false;
        Q_EMIT message(true, QStringLiteral("Mask"), QStringLiteral("Could not save the mask edit; it was taken back."),
                       fromStd(e.what()));
        return;
    }
    showHistory();
    metrics_->schedule(); // pixel metrics rest on the masks
}

void ReviewPage::showReviewState()
{
    const ResultsModel::Row* row = imageId_ ? results_->model()->row(imageId_) : nullptr;
    if (!row) {
        reviewPanel_->clearImage();
        return;
    }
    const auto review = reviews_.find(imageId_);
    if (review == reviews_.end())
        reviewPanel_->showImage(row->score, currentThreshold(), {}, {}, {});
    else
        reviewPanel_->showImage(row->score, currentThreshold(), QString::fromLatin1(ds::verdictName(review->second.verdict)),
                                fromStd(review->second.reviewer), readableUtc(review->second.createdAt) + QStringLiteral(" UTC"));
}

void ReviewPage::updateReviewProgress()
{
    int reviewed = 0;
    for (const ResultsModel::Row& row : results_->model()->rows())
        reviewed += !row.review.isEmpty();
    reviewPanel_->setProgress(reviewed, int(results_->model()->rows().size()));
}

void ReviewPage::setReviewOrder(int order)
{
    reviewPanel_->orderBox()->setCurrentIndex(reviewPanel_->orderBox()->findData(order));
}

void ReviewPage::showHistory()
{
    if (!project_) {
        historyView_->clear();
        return;
    }
    try {
        historyView_->showImage(*project_, imageId_);
    } catch (const std::exception& e) {
        Q_EMIT status(QStringLiteral("Could not read the history: ") + fromStd(e.what()), 10000);
    }
}

} // namespace ds::ui
