#include "ui/TrainDialog.h"

#include "core/backbones/BackboneCatalog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include "ui/FileDialogs.h"
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace ds::ui {

namespace {
const QString kTorchScriptItem = QStringLiteral("TorchScript file…");
constexpr int kIsFileItemRole = Qt::UserRole + 1;
} // namespace

TrainDialog::TrainDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("Train Model"));

    method_ = new QComboBox(this);
    method_->setObjectName(QStringLiteral("methodBox"));
    for (const DetectorInfo& info : detectorRegistry()) {
        method_->addItem(QString::fromStdString(info.title), QString::fromStdString(info.method));
        method_->setItemData(method_->count() - 1, QString::fromStdString(info.description), Qt::ToolTipRole);
    }
    const DetectorSettings defaults; // shared with the command line's defaults
    method_->setCurrentIndex(std::max(0, method_->findData(QString::fromStdString(defaults.method))));

    backbone_ = new QComboBox(this);
    backbone_->setObjectName(QStringLiteral("backboneBox"));
    for (const std::string& name : builtinBackbones())
        backbone_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    backbone_->addItem(kTorchScriptItem, QString());
    backbone_->setItemData(backbone_->count() - 1, true, kIsFileItemRole);
    backbone_->setCurrentIndex(std::max(0, backbone_->findData(QString::fromStdString(defaults.backbone))));
    lastBackboneIndex_ = backbone_->currentIndex();
    backbone_->setToolTip(QStringLiteral("Feature extractor; a TorchScript file exported with packaging/export_backbone.py"));

    imageSize_ = new QSpinBox(this);
    imageSize_->setObjectName(QStringLiteral("imageSizeBox"));
    imageSize_->setRange(32, 1024);
    imageSize_->setSingleStep(32);
    imageSize_->setValue(defaults.imageSize);
    imageSize_->setSuffix(QStringLiteral(" px"));
    imageSize_->setToolTip(QStringLiteral("The model works at this square size, or with the shape kept at as many pixels "
                                          "for the typical training image"));

    aspect_ = new QComboBox(this);
    aspect_->setObjectName(QStringLiteral("aspectBox"));
    aspect_->addItem(QStringLiteral("Automatic: kept for long parts"), int(Aspect::Automatic));
    aspect_->addItem(QStringLiteral("Keep each image's shape"), int(Aspect::Keep));
    aspect_->addItem(QStringLiteral("Squash to a square"), int(Aspect::Squash));
    aspect_->setCurrentIndex(aspect_->findData(int(defaults.automaticAspect       ? Aspect::Automatic
                                                       : defaults.keepAspectRatio ? Aspect::Keep
                                                                                  : Aspect::Squash)));
    aspect_->setToolTip(QStringLiteral("Keep: every image at one common scale, its shape kept (thin defects on long parts "
                                       "survive, textures keep their scale). Squash: every image resized to the square. "
                                       "Automatic: kept when the typical training image is 1.5 times longer than wide."));

    name_ = new QLineEdit(this);
    name_->setObjectName(QStringLiteral("modelNameEdit"));
    name_->setPlaceholderText(QStringLiteral("automatic"));

    auto* general = new QFormLayout;
    general->addRow(QStringLiteral("&Method:"), method_);
    general->addRow(QStringLiteral("&Backbone:"), backbone_);
    general->addRow(QStringLiteral("Image &size:"), imageSize_);
    general->addRow(QStringLiteral("Image s&hape:"), aspect_);
    general->addRow(QStringLiteral("Model &name:"), name_);

    auto* parameters = new QGroupBox(QStringLiteral("Method parameters"), this);
    parameterForm_ = new QFormLayout(parameters);

    estimate_ = new QLabel(this);
    estimate_->setObjectName(QStringLiteral("estimateLabel"));
    estimate_->setToolTip(QStringLiteral("Measured on a 2-core CPU and scaled to this machine's cores; a GPU is faster. "
                                         "Methods that train a network trade time for accuracy with their training budget."));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("Train"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(general);
    layout->addWidget(parameters);
    layout->addWidget(estimate_);
    layout->addWidget(buttons);

    connect(method_, &QComboBox::currentIndexChanged, this, &TrainDialog::methodChanged);
    connect(backbone_, &QComboBox::activated, this, &TrainDialog::backboneChanged);
    connect(backbone_, &QComboBox::currentIndexChanged, this, &TrainDialog::updateEstimate);
    connect(imageSize_, &QSpinBox::valueChanged, this, &TrainDialog::updateEstimate);
    methodChanged();
}

void TrainDialog::setTrainingImageCount(size_t count)
{
    trainingImages_ = count;
    updateEstimate();
}

void TrainDialog::updateEstimate()
{
    const double seconds = estimatedTrainingSeconds(settings(), trainingImages_);
    const QString time = seconds < 90 ? QStringLiteral("%1 s").arg(std::max(1.0, std::round(seconds)))
                                      : QStringLiteral("%1 min").arg(std::round(seconds / 60));
    estimate_->setText(QStringLiteral("Estimated training time: about %1 for %2 good images").arg(time).arg(trainingImages_));
}

void TrainDialog::methodChanged()
{
    while (parameterForm_->rowCount() > 0)
        parameterForm_->removeRow(0);
    parameterEditors_.clear();
    const DetectorInfo& info = detectorInfo(method_->currentData().toString().toStdString());
    method_->setToolTip(QString::fromStdString(info.description));
    backbone_->setEnabled(info.usesBackboneSetting);
    // Each method starts from the backbone measured best for it (STFPM's teacher differs).
    const int ownBackbone = backbone_->findData(QString::fromStdString(info.defaultBackbone));
    if (ownBackbone >= 0) {
        backbone_->setCurrentIndex(ownBackbone);
        lastBackboneIndex_ = ownBackbone;
    }
    for (const ParameterSpec& spec : info.parameters) {
        QWidget* editor = nullptr;
        if (!spec.choices.empty()) {
            auto* box = new QComboBox;
            for (size_t i = 0; i < spec.choices.size(); ++i)
                box->addItem(QString::fromStdString(spec.choices[i]), int(i));
            box->setCurrentIndex(int(std::lround(spec.defaultValue)));
            connect(box, &QComboBox::currentIndexChanged, this, &TrainDialog::updateEstimate);
            editor = box;
        } else if (spec.isInteger) {
            auto* box = new QSpinBox;
            box->setRange(int(spec.minimum), int(spec.maximum));
            box->setValue(int(std::lround(spec.defaultValue)));
            connect(box, &QSpinBox::valueChanged, this, &TrainDialog::updateEstimate);
            editor = box;
        } else {
            auto* box = new QDoubleSpinBox;
            box->setDecimals(4);
            box->setRange(spec.minimum, spec.maximum);
            box->setSingleStep(std::max(1e-4, (spec.maximum - spec.minimum) / 100.0));
            box->setValue(spec.defaultValue);
            editor = box;
        }
        editor->setToolTip(QString::fromStdString(spec.tooltip));
        parameterForm_->addRow(QString::fromStdString(spec.label) + QStringLiteral(":"), editor);
        parameterEditors_[spec.key] = editor;
    }
    updateEstimate();
}

void TrainDialog::backboneChanged(int index)
{
    if (!backbone_->itemData(index, kIsFileItemRole).toBool()) {
        lastBackboneIndex_ = index;
        return;
    }
    const QString path = askOpenFileName(this, QStringLiteral("TorchScript Backbone"), QString(),
                                         QStringLiteral("TorchScript (*.pt *.pth);;All files (*)"));
    if (path.isEmpty()) {
        backbone_->setCurrentIndex(lastBackboneIndex_);
        return;
    }
    torchScriptPath_ = path;
    backbone_->setItemText(index, QFileInfo(path).fileName());
    backbone_->setItemData(index, path);
    backbone_->setItemData(index, path, Qt::ToolTipRole);
    lastBackboneIndex_ = index;
}

DetectorSettings TrainDialog::settings() const
{
    DetectorSettings settings;
    settings.method = method_->currentData().toString().toStdString();
    settings.backbone = backbone_->currentData().toString().toStdString();
    settings.imageSize = imageSize_->value();
    settings.keepAspectRatio = aspect_->currentData().toInt() == int(Aspect::Keep);
    settings.automaticAspect = aspect_->currentData().toInt() == int(Aspect::Automatic);
    for (const auto& [key, editor] : parameterEditors_) {
        if (auto* box = qobject_cast<QComboBox*>(editor))
            settings.parameters[key] = box->currentData().toInt();
        else if (auto* box = qobject_cast<QSpinBox*>(editor))
            settings.parameters[key] = box->value();
        else if (auto* box = qobject_cast<QDoubleSpinBox*>(editor))
            settings.parameters[key] = box->value();
    }
    return settings;
}

QString TrainDialog::modelName() const
{
    return name_->text().trimmed();
}

} // namespace ds::ui
