#include "ui/InspectPanel.h"

#include "ui/jobs/BackgroundTask.h"

#include "core/Error.h"
#include "core/data/Dataset.h"
#include "core/jobs/ProjectJobs.h"
#include "ui/ImageConversion.h"
#include "ui/ImagePane.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include "ui/FileDialogs.h"
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include <opencv2/imgproc.hpp>

namespace ds::ui {

namespace {

QString firstLocalImage(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl& url : mime->urls()) {
        if (!url.isLocalFile())
            continue;
        const QString path = url.toLocalFile();
        if (ds::isSupportedImageFile(path.toStdString()))
            return path;
    }
    return {};
}

QString number(double value)
{
    return QString::number(value, 'g', 4);
}

const QString kNoModelText = QStringLiteral("Select a trained model, then drop an image here or use Open Image… to inspect it.");

} // namespace

InspectPanel::InspectPanel(QWidget* parent)
    : QWidget(parent)
    , inspection_(new BackgroundTask(this))
    , import_(new BackgroundTask(this))
{
    setAcceptDrops(true);

    openButton_ = new QPushButton(QStringLiteral("Open Image…"));
    openButton_->setObjectName(QStringLiteral("inspectOpenButton"));
    openButton_->setToolTip(QStringLiteral("Inspect an image file with the selected model"));
    connect(openButton_, &QPushButton::clicked, this, &InspectPanel::openImageDialog);
    addButton_ = new QPushButton(QStringLiteral("Add to Project"));
    addButton_->setObjectName(QStringLiteral("inspectAddButton"));
    addButton_->setToolTip(
        QStringLiteral("Import the inspected image as a test image of unknown label, to review and score with the others"));
    connect(addButton_, &QPushButton::clicked, this, &InspectPanel::addToProject);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(openButton_);
    buttons->addWidget(addButton_);
    buttons->addStretch();

    pane_ = new ImagePane(QStringLiteral("inspectView"), true);
    pane_->setObjectName(QStringLiteral("inspectPane"));
    pane_->setPlaceholder(kNoModelText);

    resultLine_ = new QLabel;
    resultLine_->setObjectName(QStringLiteral("inspectResult"));
    resultLine_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    verdictBadge_ = new QLabel;
    verdictBadge_->setObjectName(QStringLiteral("inspectVerdict"));
    QFont badgeFont = verdictBadge_->font();
    badgeFont.setBold(true);
    badgeFont.setPointSizeF(badgeFont.pointSizeF() * 1.3);
    verdictBadge_->setFont(badgeFont);
    verdictBadge_->setAlignment(Qt::AlignCenter);
    verdictBadge_->setMinimumWidth(verdictBadge_->fontMetrics().horizontalAdvance(QStringLiteral("DEFECT")) + 24);
    verdictBadge_->hide();
    messageLine_ = new QLabel;
    messageLine_->setObjectName(QStringLiteral("inspectMessage"));
    messageLine_->setWordWrap(true);
    messageLine_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    messageLine_->hide();

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(pane_, 1);
    auto* resultRow = new QHBoxLayout;
    resultRow->addWidget(verdictBadge_);
    resultRow->addWidget(resultLine_, 1);
    layout->addLayout(resultRow);
    layout->addWidget(messageLine_);
    updateActions();
}

InspectPanel::~InspectPanel() = default; // the tasks wait for their work

QString InspectPanel::resultText() const
{
    return resultLine_->text();
}

QString InspectPanel::messageText() const
{
    return messageLine_->isHidden() ? QString() : messageLine_->text();
}

void InspectPanel::setModel(const QString& projectPath, qint64 modelId, double threshold)
{
    if (!modelId) {
        clearModel();
        return;
    }
    if (projectPath == projectPath_ && modelId == modelId_) {
        setThreshold(threshold);
        return;
    }
    projectPath_ = projectPath;
    modelId_ = modelId;
    threshold_ = threshold;
    // One colour scale per model: a threshold moved later moves the outlines only.
    pane_->setColourScale(ds::colourScaleAround(threshold));
    ++modelGeneration_;
    inspector_.reset();
    if (shown_ && !inspecting_)
        inspectFile(shown_->path);
    else if (!shown_)
        pane_->setPlaceholder(
            QStringLiteral("Drop an image of a part here, or use Open Image…, to see its heatmap and verdict."));
    updateActions();
}

void InspectPanel::setThreshold(double threshold)
{
    threshold_ = threshold;
    render();
}

void InspectPanel::clearModel()
{
    projectPath_.clear();
    modelId_ = 0;
    ++modelGeneration_;
    inspector_.reset();
    waitingPath_.clear();
    shown_.reset();
    pane_->setPlaceholder(kNoModelText);
    resultLine_->clear();
    verdictBadge_->hide();
    messageLine_->hide();
    updateActions();
}

void InspectPanel::inspectFile(const QString& path)
{
    if (path.isEmpty())
        return;
    if (!modelId_) {
        showError(QStringLiteral("No model to inspect with: select a trained model first."));
        return;
    }
    if (inspecting_) {
        waitingPath_ = path;
        resultLine_->setText(QStringLiteral("Next: %1").arg(QFileInfo(path).fileName()));
        return;
    }
    startInspection(path);
}

void InspectPanel::startInspection(const QString& path)
{
    inspecting_ = true;
    messageLine_->hide();
    resultLine_->setText(QStringLiteral("Inspecting %1…").arg(QFileInfo(path).fileName()));
    updateActions();

    inspection_->start([this, path, generation = modelGeneration_, project = projectPath_.toStdString(), modelId = modelId_,
                        cached = inspector_](ds::JobContext&, const BackgroundTask::Post&) {
        Inspection inspection;
        inspection.modelGeneration = generation;
        inspection.path = path;
        try {
            std::shared_ptr<ds::Inspector> inspector = cached;
            if (!inspector) {
                inspector = std::make_shared<ds::Inspector>(project, modelId);
                inspection.modelLoadSeconds = inspector->loadSeconds();
            }
            inspection.inspector = inspector;
            inspection.result = inspector->inspect(path.toStdString());
        } catch (const std::exception& e) {
            inspection.error = QString::fromStdString(e.what());
        } catch (...) {
            inspection.error = QStringLiteral("%1: unknown error").arg(path);
        }
        return BackgroundTask::Apply([this, inspection] { finishInspection(inspection); });
    });
}

void InspectPanel::finishInspection(const Inspection& inspection)
{
    inspecting_ = false;
    if (inspection.modelGeneration != modelGeneration_) {
        // The model changed meanwhile: the file is inspected again with the new one,
        // unless another file is already waiting.
        if (modelId_ && waitingPath_.isEmpty())
            waitingPath_ = inspection.path;
    } else {
        if (inspection.inspector)
            inspector_ = inspection.inspector;
        if (!inspection.error.isEmpty()) {
            shown_.reset();
            pane_->setPlaceholder(QStringLiteral("Cannot inspect %1.").arg(QFileInfo(inspection.path).fileName()));
            resultLine_->clear();
            verdictBadge_->hide();
            showError(inspection.error);
        } else {
            shown_ = inspection;
            shown_->inspector.reset(); // inspector_ keeps the model; an old one must not linger here
            pane_->setThreshold(threshold_);
            pane_->showImage(inspection.result.imageRgb, inspection.result.anomalyMap, cv::Mat(), QString());
            render();
            Q_EMIT inspected(inspection.result.score, inspection.result.score >= threshold_);
        }
    }
    updateActions();
    if (!waitingPath_.isEmpty()) {
        const QString next = waitingPath_;
        waitingPath_.clear();
        inspectFile(next);
    }
}

void InspectPanel::render()
{
    if (!shown_)
        return;
    const ds::InspectionResult& result = shown_->result;
    pane_->setThreshold(threshold_);
    const bool defect = result.score >= threshold_;
    QString line = QStringLiteral("%1 · score %2 · threshold %3 · %4 · %5 ms")
                       .arg(QFileInfo(shown_->path).fileName(), number(result.score), number(threshold_),
                            defect ? QStringLiteral("DEFECT") : QStringLiteral("GOOD"))
                       .arg(qRound(result.milliseconds));
    if (shown_->modelLoadSeconds > 0)
        line += QStringLiteral(" (model load %1 s)").arg(shown_->modelLoadSeconds, 0, 'f', 1);
    resultLine_->setText(line);
    resultLine_->setToolTip(shown_->path);
    // The verdict is what an operator reads first: large and in colour.
    verdictBadge_->setText(defect ? QStringLiteral("DEFECT") : QStringLiteral("GOOD"));
    verdictBadge_->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: 4px; padding: 2px 8px; }")
                                     .arg(defect ? QStringLiteral("#c0392b") : QStringLiteral("#27ae60")));
    verdictBadge_->show();
}

void InspectPanel::openImageDialog()
{
    const QString path = askOpenFileName(this, QStringLiteral("Inspect Image"), QString(), imageFileFilter());
    inspectFile(path);
}

void InspectPanel::addToProject()
{
    if (!shown_ || adding_ || !importAllowed_ || projectPath_.isEmpty())
        return;
    adding_ = true;
    showInfo(QStringLiteral("Adding %1 to the project…").arg(QFileInfo(shown_->path).fileName()));
    updateActions();

    import_->start([this, path = shown_->path, project = projectPath_.toStdString()](ds::JobContext& job,
                                                                                     const BackgroundTask::Post&) {
        Import import;
        import.path = path;
        try {
            const ds::ImportReport report
                = ds::importImages(project, {ds::DatasetItem {path.toStdString(), ds::kUnknownLabel, {}}}, ds::Split::Test, job);
            if (!report.skipped.empty())
                throw ds::InputError(report.skipped.front().reason);
            import.imageId = report.imageIds.front();
            import.duplicate = report.duplicates > 0;
        } catch (const std::exception& e) {
            import.error = QString::fromStdString(e.what());
        }
        return BackgroundTask::Apply([this, import] { finishImport(import); });
    });
}

void InspectPanel::finishImport(const Import& import)
{
    adding_ = false;
    updateActions();
    const QString name = QFileInfo(import.path).fileName();
    if (!import.error.isEmpty()) {
        showError(import.error);
    } else if (import.duplicate) {
        showInfo(QStringLiteral("%1 is already in the project.").arg(name));
    } else {
        showInfo(QStringLiteral("Added %1 to the project as a test image.").arg(name));
        Q_EMIT addedToProject(import.imageId);
    }
}

void InspectPanel::showError(const QString& message)
{
    messageLine_->setStyleSheet(QStringLiteral("color: #c62828;"));
    messageLine_->setText(message);
    messageLine_->show();
    Q_EMIT failed(message);
}

void InspectPanel::showInfo(const QString& message)
{
    messageLine_->setStyleSheet(QString());
    messageLine_->setText(message);
    messageLine_->show();
}

void InspectPanel::updateActions()
{
    openButton_->setEnabled(modelId_ != 0);
    addButton_->setEnabled(shown_.has_value() && !adding_ && importAllowed_ && !projectPath_.isEmpty());
}

void InspectPanel::setImportAllowed(bool allowed)
{
    importAllowed_ = allowed;
    updateActions();
}

void InspectPanel::dragEnterEvent(QDragEnterEvent* event)
{
    if (!firstLocalImage(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void InspectPanel::dropEvent(QDropEvent* event)
{
    const QString path = firstLocalImage(event->mimeData());
    if (path.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    inspectFile(path);
}

} // namespace ds::ui
